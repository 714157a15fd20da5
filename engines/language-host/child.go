package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// How the child (the real v3.68.0 host) is found, first match wins:
//  1. $MIGRATE_FIRST_LANGUAGE_NODEJS_CHILD, a path to the binary (no other lookup when it is set);
//  2. childName in the directory this host was invoked from (the CLI runs us by the path it found,
//     e.g. the symlink in .engines/bin, so the child is linked beside us there);
//  3. childName in the directory of the resolved executable (a copy installed beside the real file);
//  4. childName on $PATH.
//
// It is never looked up as "pulumi-language-nodejs": that name is this host.
const (
	childEnvVar = "MIGRATE_FIRST_LANGUAGE_NODEJS_CHILD"
	childName   = "pulumi-language-nodejs-" + delegateVersion
)

func findChild(fromEnv, invokedAs, pathList string) (string, error) {
	if fromEnv != "" {
		if !isExecutable(fromEnv) {
			return "", fmt.Errorf("$%s=%s is not an executable file", childEnvVar, fromEnv)
		}
		return fromEnv, nil
	}
	var dirs []string
	if strings.ContainsRune(invokedAs, os.PathSeparator) {
		dirs = append(dirs, filepath.Dir(invokedAs))
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			dirs = append(dirs, filepath.Dir(resolved))
		}
	}
	dirs = append(dirs, filepath.SplitList(pathList)...)
	for _, dir := range dirs {
		if dir == "" {
			continue
		}
		if candidate := filepath.Join(dir, childName); isExecutable(candidate) {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("cannot find %s (the Pulumi v3.68.0 Node.js host that runs programs): "+
		"put it beside this binary or on PATH, or set $%s to its path", childName, childEnvVar)
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular() && info.Mode().Perm()&0o111 != 0
}

// child is the running v3.68.0 host and a client connected to it.
type child struct {
	cmd    *exec.Cmd
	conn   *grpc.ClientConn
	client pulumirpc.LanguageRuntimeClient
	stdout *bufio.Reader
	exited chan struct{} // closed when the process has exited
}

// startChild runs the host at path with args, reads the port it prints first on stdout and dials it.
// The child stays in our process group, so the CLI's interrupt and kill of the group reach it too.
func startChild(path string, args []string, timeout time.Duration) (*child, error) {
	cmd := exec.Command(path, args...)
	cmd.Stderr = os.Stderr
	// If this host is killed outright, the kernel kills the child (Linux; see child_linux.go).
	setParentDeathSignal(cmd)
	// A pipe of our own, not StdoutPipe: Wait closes that one as soon as the child exits,
	// losing what it printed last, and Wait runs beside the reads here.
	pipe, out, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = out
	err = cmd.Start()
	_ = out.Close() // the child holds its own copy; EOF comes when it exits
	if err != nil {
		_ = pipe.Close()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	c := &child{cmd: cmd, stdout: bufio.NewReader(pipe), exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()

	port, err := c.readPort(timeout)
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port),
		grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
	if err != nil {
		c.stop()
		return nil, fmt.Errorf("dialing %s on port %d: %w", path, port, err)
	}
	c.conn = conn
	c.client = pulumirpc.NewLanguageRuntimeClient(conn)
	return c, nil
}

func (c *child) readPort(timeout time.Duration) (int, error) {
	type result struct {
		line string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		line, err := c.stdout.ReadString('\n')
		got <- result{line, err}
	}()
	select {
	case r := <-got:
		if r.err != nil && r.line == "" {
			return 0, fmt.Errorf("exited before printing its port: %w", r.err)
		}
		port, err := strconv.Atoi(strings.TrimSpace(r.line))
		if err != nil || port <= 0 {
			return 0, fmt.Errorf("printed %q where its port was expected", r.line)
		}
		return port, nil
	case <-time.After(timeout):
		return 0, fmt.Errorf("printed no port within %s", timeout)
	}
}

// copyStdout passes on whatever the child prints after its port.
func (c *child) copyStdout(w io.Writer) {
	_, _ = io.Copy(w, c.stdout)
}

// stop closes the connection and ends the child: an interrupt first, a kill after two seconds.
func (c *child) stop() {
	if c.conn != nil {
		_ = c.conn.Close()
	}
	select {
	case <-c.exited:
		return
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = c.cmd.Process.Kill()
	}
	select {
	case <-c.exited:
	case <-time.After(2 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}
