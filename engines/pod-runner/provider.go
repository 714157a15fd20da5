package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Kubelet's limits for a termination message (pkg/kubelet/container: 4096 bytes from the file;
// from the log, the last 80 lines and at most 2048 bytes).
const (
	maxMessageBytes    = 4096
	maxLogMessageLines = 80
	maxLogMessageBytes = 2048
	restartBackoff     = time.Second
)

// Provider is a virtual-kubelet PodLifecycleHandler (and PodNotifier) whose containers are
// local processes.
type Provider struct {
	nodeName string
	stateDir string
	images   *Images
	client   kubernetes.Interface
	log      func(format string, args ...any)

	mu       sync.Mutex
	pods     map[string]*podRun
	notify   func(*corev1.Pod)
	nextIP   uint32
	services func() []*corev1.Service
}

// WatchServices gives the provider the cluster's Services (an informer's lister), which every
// pod's hosts file resolves; call ServicesChanged when they change.
func (p *Provider) WatchServices(list func() []*corev1.Service) {
	p.mu.Lock()
	p.services = list
	p.mu.Unlock()
	p.ServicesChanged()
}

func (p *Provider) serviceList() []*corev1.Service {
	p.mu.Lock()
	list := p.services
	p.mu.Unlock()
	if list == nil {
		return nil
	}
	return list()
}

// ServicesChanged rewrites every pod's hosts file in place, so that a Service created after a
// container started resolves in it too (cluster DNS would answer it at once).
func (p *Provider) ServicesChanged() {
	p.mu.Lock()
	runs := make([]*podRun, 0, len(p.pods))
	for _, run := range p.pods {
		runs = append(runs, run)
	}
	p.mu.Unlock()
	services := p.serviceList()
	for _, run := range runs {
		if err := run.writeHosts(services, false); err != nil {
			run.logf("hosts file: %v", err)
		}
	}
}

// podIP gives each pod an address of its own in 127.1.0.0/16: Linux routes all of 127/8 to the
// loopback interface, so two pods' processes can both listen on :8080 (one at its pod IP each).
func (p *Provider) podIP() string {
	n := p.nextIP%65534 + 1
	p.nextIP++
	return fmt.Sprintf("127.1.%d.%d", n>>8, n&0xff)
}

// NewProvider keeps each pod's volumes, logs and termination messages under stateDir.
func NewProvider(nodeName, stateDir string, images *Images, client kubernetes.Interface, log func(string, ...any)) *Provider {
	return &Provider{nodeName: nodeName, stateDir: stateDir, images: images, client: client, log: log, pods: map[string]*podRun{}}
}

func key(namespace, name string) string { return namespace + "/" + name }

// CreatePod starts the pod's run: init containers in order, then its containers.
func (p *Provider) CreatePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	k := key(pod.Namespace, pod.Name)
	if _, ok := p.pods[k]; ok {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &podRun{
		p:       p,
		pod:     pod.DeepCopy(),
		dir:     filepath.Join(p.stateDir, fmt.Sprintf("%s_%s_%s", pod.Namespace, pod.Name, pod.UID)),
		ip:      p.podIP(),
		ctx:     ctx,
		cancel:  cancel,
		procs:   map[string]*proc{},
		states:  map[string]*corev1.ContainerStatus{},
		done:    make(chan struct{}),
		started: metav1.Now(),
	}
	run.initialStatus()
	p.pods[k] = run
	p.log("pod %s: created (%s)", k, run.dir)
	go run.run()
	return nil
}

// UpdatePod: a pod's containers are immutable; nothing to do for the fields that may change.
func (p *Provider) UpdatePod(context.Context, *corev1.Pod) error { return nil }

// DeletePod kills every container's process group (SIGTERM, then SIGKILL after the grace
// period), reports the terminal status and forgets the pod. Its directory (logs) stays.
func (p *Provider) DeletePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	run, ok := p.pods[key(pod.Namespace, pod.Name)]
	p.mu.Unlock()
	if !ok {
		return nil
	}
	grace := 30 * time.Second
	if pod.DeletionGracePeriodSeconds != nil {
		grace = time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	} else if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	run.stop(grace)
	<-run.done
	p.mu.Lock()
	delete(p.pods, key(pod.Namespace, pod.Name))
	p.mu.Unlock()
	p.log("pod %s: deleted", key(pod.Namespace, pod.Name))
	return nil
}

// GetPod returns the pod with its current status.
func (p *Provider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	run, ok := p.pods[key(namespace, name)]
	p.mu.Unlock()
	if !ok {
		return nil, nil
	}
	return run.snapshot(), nil
}

// GetPodStatus returns the pod's current status.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if pod == nil || err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns every pod this node runs.
func (p *Provider) GetPods(context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	runs := make([]*podRun, 0, len(p.pods))
	for _, run := range p.pods {
		runs = append(runs, run)
	}
	p.mu.Unlock()
	pods := make([]*corev1.Pod, 0, len(runs))
	for _, run := range runs {
		pods = append(pods, run.snapshot())
	}
	return pods, nil
}

// NotifyPods registers the callback every status change is reported through.
func (p *Provider) NotifyPods(_ context.Context, notify func(*corev1.Pod)) {
	p.mu.Lock()
	p.notify = notify
	p.mu.Unlock()
}

func (p *Provider) report(pod *corev1.Pod) {
	p.mu.Lock()
	notify := p.notify
	p.mu.Unlock()
	if notify != nil {
		notify(pod)
	}
}

// podRun is one pod's life on this node.
type podRun struct {
	p       *Provider
	pod     *corev1.Pod
	dir     string
	ip      string
	ctx     context.Context
	cancel  context.CancelFunc
	done    chan struct{}
	started metav1.Time

	mu          sync.Mutex
	phase       corev1.PodPhase
	reason      string
	message     string
	initialized bool
	procs       map[string]*proc
	states      map[string]*corev1.ContainerStatus
	volumes     map[string]string
	grace       time.Duration

	hostsMu      sync.Mutex
	hostsWritten []byte
}

// writeHosts writes the pod's hosts file when its content changed, once the pod's directory
// exists (create: the pod's start makes it).
func (r *podRun) writeHosts(services []*corev1.Service, create bool) error {
	r.hostsMu.Lock()
	defer r.hostsMu.Unlock()
	if r.hostsWritten == nil && !create {
		return nil
	}
	content := hostsFile(r.pod, r.ip, services)
	if bytes.Equal(content, r.hostsWritten) {
		return nil
	}
	if err := writeInPlace(hostsPath(r.dir), content); err != nil {
		return err
	}
	r.hostsWritten = content
	return nil
}

// proc is a container's current process.
type proc struct {
	cmd    *exec.Cmd
	exited chan struct{}
}

func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}

func (r *podRun) initialStatus() {
	r.phase = corev1.PodPending
	for _, c := range r.pod.Spec.InitContainers {
		r.states[c.Name] = &corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: "pod-runner://" + c.Image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}}
	}
	reason := "ContainerCreating"
	if len(r.pod.Spec.InitContainers) > 0 {
		reason = "PodInitializing"
	}
	for _, c := range r.pod.Spec.Containers {
		r.states[c.Name] = &corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: "pod-runner://" + c.Image,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}}
	}
}

// snapshot is the pod with its status as the API server should see it.
func (r *podRun) snapshot() *corev1.Pod {
	r.mu.Lock()
	defer r.mu.Unlock()
	pod := r.pod.DeepCopy()
	status := corev1.PodStatus{
		Phase:     r.phase,
		Reason:    r.reason,
		Message:   r.message,
		HostIP:    "127.0.0.1",
		HostIPs:   []corev1.HostIP{{IP: "127.0.0.1"}},
		PodIP:     r.ip,
		PodIPs:    []corev1.PodIP{{IP: r.ip}},
		StartTime: &r.started,
	}
	allReady := true
	for _, c := range r.pod.Spec.InitContainers {
		s := r.states[c.Name].DeepCopy()
		status.InitContainerStatuses = append(status.InitContainerStatuses, *s)
		if isSidecar(&c) && !s.Ready {
			allReady = false
		}
	}
	for _, c := range r.pod.Spec.Containers {
		s := r.states[c.Name].DeepCopy()
		status.ContainerStatuses = append(status.ContainerStatuses, *s)
		if !s.Ready {
			allReady = false
		}
	}
	terminal := r.phase == corev1.PodSucceeded || r.phase == corev1.PodFailed
	condition := func(kind corev1.PodConditionType, ok bool, reason string) corev1.PodCondition {
		c := corev1.PodCondition{Type: kind, Status: corev1.ConditionFalse, LastTransitionTime: r.started}
		if ok {
			c.Status = corev1.ConditionTrue
		} else {
			c.Reason = reason
		}
		return c
	}
	readyReason := "ContainersNotReady"
	if terminal {
		readyReason = "PodCompleted"
	}
	status.Conditions = []corev1.PodCondition{
		condition(corev1.PodScheduled, true, ""),
		condition(corev1.PodInitialized, r.initialized, "ContainersNotInitialized"),
		condition(corev1.ContainersReady, allReady && !terminal, readyReason),
		condition(corev1.PodReady, allReady && !terminal, readyReason),
	}
	pod.Status = status
	return pod
}

func (r *podRun) changed() { r.p.report(r.snapshot()) }

func (r *podRun) logf(format string, args ...any) {
	r.p.log("pod %s/%s: %s", r.pod.Namespace, r.pod.Name, fmt.Sprintf(format, args...))
}

// stop ends the run: no restarts, every process group signalled.
func (r *podRun) stop(grace time.Duration) {
	r.mu.Lock()
	r.grace = grace
	r.mu.Unlock()
	r.cancel()
}

func (r *podRun) setWaiting(names []string, reason, message string) {
	r.mu.Lock()
	for _, name := range names {
		r.states[name].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: message}}
	}
	r.mu.Unlock()
	r.changed()
}

func (r *podRun) finish(phase corev1.PodPhase, reason, message string) {
	r.mu.Lock()
	r.phase, r.reason, r.message = phase, reason, message
	r.mu.Unlock()
	r.changed()
	r.logf("%s %s", phase, message)
}

func (r *podRun) restartPolicy() corev1.RestartPolicy {
	if r.pod.Spec.RestartPolicy == "" {
		return corev1.RestartPolicyAlways
	}
	return r.pod.Spec.RestartPolicy
}

// run is the pod's life: volumes, init containers in order (sidecars left running), then the
// containers until the restart policy says the pod is done, or until DeletePod.
func (r *podRun) run() {
	defer close(r.done)
	var all []string
	for _, c := range r.pod.Spec.InitContainers {
		all = append(all, c.Name)
	}
	for _, c := range r.pod.Spec.Containers {
		all = append(all, c.Name)
	}
	r.changed()
	for _, c := range append(append([]corev1.Container{}, r.pod.Spec.InitContainers...), r.pod.Spec.Containers...) {
		if _, ok := r.p.images.Lookup(c.Image); !ok {
			r.setWaiting([]string{c.Name}, "ErrImageNeverPull",
				fmt.Sprintf("image %q is not in the pod runner's image mapping (engines/pod-runner/images.yaml): images are never pulled", c.Image))
			r.logf("image %q not mapped", c.Image)
			<-r.ctx.Done()
			r.finish(corev1.PodFailed, "", "deleted before it started")
			return
		}
	}
	// Volumes: a missing ConfigMap or Secret is waited for, as the kubelet does.
	for {
		volumes, err := prepareVolumes(r.ctx, r.p.client, r.pod, r.dir)
		if err == nil {
			r.mu.Lock()
			r.volumes = volumes
			r.mu.Unlock()
			break
		}
		r.setWaiting(all, "CreateContainerConfigError", err.Error())
		r.logf("volumes: %v", err)
		select {
		case <-r.ctx.Done():
			r.finish(corev1.PodFailed, "", "deleted before it started")
			return
		case <-time.After(2 * time.Second):
		}
	}
	for _, sub := range []string{"logs", "termination", "home"} {
		_ = os.MkdirAll(filepath.Join(r.dir, sub), 0o755)
	}
	if err := r.writeHosts(r.p.serviceList(), true); err != nil {
		r.logf("hosts file: %v", err)
	}

	var sidecars sync.WaitGroup
	sidecarCtx, stopSidecars := context.WithCancel(r.ctx)
	defer stopSidecars()
	for i := range r.pod.Spec.InitContainers {
		c := &r.pod.Spec.InitContainers[i]
		if isSidecar(c) {
			running := make(chan struct{})
			sidecars.Add(1)
			go func() {
				defer sidecars.Done()
				r.supervise(sidecarCtx, c, corev1.RestartPolicyAlways, running)
			}()
			select {
			case <-running:
			case <-r.ctx.Done():
			}
			continue
		}
		for {
			code, err := r.runOnce(r.ctx, c)
			if r.ctx.Err() != nil {
				stopSidecars()
				sidecars.Wait()
				r.finish(corev1.PodFailed, "", "deleted while initializing")
				return
			}
			if err == nil && code == 0 {
				break
			}
			if r.restartPolicy() == corev1.RestartPolicyNever {
				stopSidecars()
				sidecars.Wait()
				r.mu.Lock()
				for _, other := range r.pod.Spec.Containers {
					r.states[other.Name].State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "PodInitializing"}}
				}
				r.mu.Unlock()
				r.finish(corev1.PodFailed, "", fmt.Sprintf("init container %s failed", c.Name))
				return
			}
			r.backoff(c.Name)
		}
	}
	r.mu.Lock()
	r.initialized = true
	r.phase = corev1.PodRunning
	r.mu.Unlock()
	r.changed()

	var containers sync.WaitGroup
	for i := range r.pod.Spec.Containers {
		c := &r.pod.Spec.Containers[i]
		containers.Add(1)
		go func() {
			defer containers.Done()
			r.supervise(r.ctx, c, r.restartPolicy(), nil)
		}()
	}
	containers.Wait()
	stopSidecars()
	sidecars.Wait()
	phase := corev1.PodSucceeded
	r.mu.Lock()
	for _, c := range r.pod.Spec.Containers {
		t := r.states[c.Name].State.Terminated
		if t == nil || t.ExitCode != 0 {
			phase = corev1.PodFailed
		}
	}
	r.mu.Unlock()
	r.finish(phase, "", "")
}

// supervise runs a container until its restart policy lets it rest: Always restarts it
// whatever its exit, OnFailure on a non-zero exit, Never not at all.
func (r *podRun) supervise(ctx context.Context, c *corev1.Container, policy corev1.RestartPolicy, running chan struct{}) {
	for {
		code, err := r.runOnceNotify(ctx, c, running)
		running = nil
		if ctx.Err() != nil {
			return
		}
		failed := err != nil || code != 0
		if policy == corev1.RestartPolicyNever || policy == corev1.RestartPolicyOnFailure && !failed {
			return
		}
		r.backoff(c.Name)
		if ctx.Err() != nil {
			return
		}
	}
}

func (r *podRun) backoff(name string) {
	r.mu.Lock()
	r.states[name].RestartCount++
	r.mu.Unlock()
	select {
	case <-r.ctx.Done():
	case <-time.After(restartBackoff):
	}
}

func (r *podRun) runOnce(ctx context.Context, c *corev1.Container) (int32, error) {
	return r.runOnceNotify(ctx, c, nil)
}

// runOnceNotify starts the container's process, reports it running (closing running, when
// given), waits for it (killing its process group when ctx ends) and reports its termination.
func (r *podRun) runOnceNotify(ctx context.Context, c *corev1.Container, running chan struct{}) (int32, error) {
	image, _ := r.p.images.Lookup(c.Image)
	r.mu.Lock()
	volumes := r.volumes
	r.mu.Unlock()
	cmd, termFile, err := r.command(c, image, volumes)
	logFile := filepath.Join(r.dir, "logs", c.Name+".log")
	var logOffset int64
	if info, statErr := os.Stat(logFile); statErr == nil {
		logOffset = info.Size()
	}
	if err == nil {
		var out *os.File
		out, err = os.OpenFile(logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			_ = os.WriteFile(termFile, nil, 0o666)
			cmd.Stdout, cmd.Stderr = out, out
			err = cmd.Start()
			_ = out.Close()
		}
	}
	startedAt := metav1.Now()
	if err != nil {
		r.terminated(c, corev1.ContainerStateTerminated{ExitCode: 128, Reason: "StartError", Message: err.Error(), StartedAt: startedAt, FinishedAt: metav1.Now()})
		r.logf("container %s: %v", c.Name, err)
		return 128, err
	}
	p := &proc{cmd: cmd, exited: make(chan struct{})}
	r.mu.Lock()
	r.procs[c.Name] = p
	s := r.states[c.Name]
	if s.State.Terminated != nil {
		s.LastTerminationState = corev1.ContainerState{Terminated: s.State.Terminated}
	}
	s.State = corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: startedAt}}
	s.Started = ptrTo(true)
	s.Ready = c.ReadinessProbe == nil
	r.mu.Unlock()
	r.changed()
	r.logf("container %s: running %q (pid %d)", c.Name, cmd.Args, cmd.Process.Pid)
	if running != nil {
		close(running)
	}
	if c.ReadinessProbe != nil {
		go r.probe(c, p)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait(); close(p.exited) }()
	var waitErr error
	select {
	case waitErr = <-waited:
	case <-ctx.Done():
		r.mu.Lock()
		grace := r.grace
		r.mu.Unlock()
		if grace == 0 {
			grace = 2 * time.Second // a sidecar after the pod's containers ended
		}
		pgid := cmd.Process.Pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case waitErr = <-waited:
		case <-time.After(grace):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			waitErr = <-waited
		}
	}
	// Whatever the group left behind (a background child) goes with it.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	code := int32(cmd.ProcessState.ExitCode())
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		code = 128 + int32(ws.Signal())
	}
	_ = waitErr
	reason := "Completed"
	if code != 0 {
		reason = "Error"
	}
	message := readMessage(termFile, maxMessageBytes)
	if message == "" && code != 0 && c.TerminationMessagePolicy == corev1.TerminationMessageFallbackToLogsOnError {
		message = logTail(logFile, logOffset)
	}
	r.terminated(c, corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, Message: message, StartedAt: startedAt, FinishedAt: metav1.Now(), ContainerID: fmt.Sprintf("pod-runner://%d", cmd.Process.Pid)})
	r.logf("container %s: exited %d", c.Name, code)
	return code, nil
}

func ptrTo[T any](v T) *T { return &v }

func (r *podRun) terminated(c *corev1.Container, t corev1.ContainerStateTerminated) {
	r.mu.Lock()
	delete(r.procs, c.Name)
	s := r.states[c.Name]
	s.State = corev1.ContainerState{Terminated: &t}
	s.Ready = false
	s.Started = ptrTo(false)
	r.mu.Unlock()
	r.changed()
}

// probe runs an httpGet readiness probe against the pod's IP (or the probe's host) while the process lives; another
// kind of probe is taken as passing once the process runs.
func (r *podRun) probe(c *corev1.Container, p *proc) {
	probe := c.ReadinessProbe
	setReady := func(ready bool) {
		r.mu.Lock()
		s := r.states[c.Name]
		changed := s.State.Running != nil && r.procs[c.Name] == p && s.Ready != ready
		if changed {
			s.Ready = ready
		}
		r.mu.Unlock()
		if changed {
			r.changed()
		}
	}
	if probe.HTTPGet == nil {
		setReady(true)
		return
	}
	port := probe.HTTPGet.Port.IntValue()
	if port == 0 {
		for _, cp := range c.Ports {
			if cp.Name == probe.HTTPGet.Port.String() {
				port = int(cp.ContainerPort)
			}
		}
	}
	period := time.Duration(max(probe.PeriodSeconds, 1)) * time.Second
	timeout := time.Duration(max(probe.TimeoutSeconds, 1)) * time.Second
	success, failure := max(probe.SuccessThreshold, 1), max(probe.FailureThreshold, 3)
	client := &http.Client{Timeout: timeout}
	host := r.ip
	if probe.HTTPGet.Host != "" {
		host = probe.HTTPGet.Host
	}
	url := fmt.Sprintf("http://%s:%d%s", host, port, probe.HTTPGet.Path)
	select {
	case <-p.exited:
		return
	case <-time.After(time.Duration(probe.InitialDelaySeconds) * time.Second):
	}
	var passes, fails int32
	for {
		ok := false
		if resp, err := client.Get(url); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			ok = resp.StatusCode >= 200 && resp.StatusCode < 400
		}
		if ok {
			passes, fails = passes+1, 0
			if passes >= success {
				setReady(true)
			}
		} else {
			passes, fails = 0, fails+1
			if fails >= failure {
				setReady(false)
			}
		}
		select {
		case <-p.exited:
			return
		case <-time.After(period):
		}
	}
}

// command builds the container's process: argv from its command and args (the image
// mapping's command when it has none), $(VAR) expanded from its environment, then every
// absolute path under a mount path, an image directory or the termination message path
// rewritten to the local directory (Rewriter.Rewrite), in argv, env values and workingDir.
func (r *podRun) command(c *corev1.Container, image *Image, volumes map[string]string) (*exec.Cmd, string, error) {
	termPath := c.TerminationMessagePath
	if termPath == "" {
		termPath = corev1.TerminationMessagePathDefault
	}
	termFile := filepath.Join(r.dir, "termination", c.Name)
	mapping := map[string]string{}
	for inside, local := range image.Dirs {
		mapping[inside] = local
	}
	for _, mount := range c.VolumeMounts {
		local, ok := volumes[mount.Name]
		if !ok {
			return nil, termFile, fmt.Errorf("volume mount %q: no volume of that name", mount.Name)
		}
		if path.Clean(mount.MountPath) == "/" {
			return nil, termFile, fmt.Errorf("volume mount %q at /: a process cannot have its root replaced", mount.Name)
		}
		if mount.SubPath != "" {
			local = filepath.Join(local, mount.SubPath)
			_ = os.MkdirAll(local, 0o777)
		}
		mapping[mount.MountPath] = local
	}
	mapping[termPath] = termFile
	rw := NewRewriter(mapping)

	env := map[string]string{}
	for _, e := range c.Env {
		env[e.Name] = e.Value // virtual-kubelet resolved valueFrom and envFrom into values
	}
	argv := append(append([]string{}, c.Command...), c.Args...)
	for i := range argv {
		argv[i] = expand(argv[i], env)
	}
	if len(c.Command) == 0 {
		if len(image.Command) == 0 {
			return nil, termFile, fmt.Errorf("container %q has no command and the image mapping for %q gives none", c.Name, image.Match)
		}
		// The mapping's command may name the pod's IP as $(POD_IP); the container's args are its own.
		argv = append([]string{}, image.Command...)
		for i := range argv {
			argv[i] = expand(argv[i], map[string]string{"POD_IP": r.ip})
		}
		for _, arg := range c.Args {
			argv = append(argv, expand(arg, env))
		}
	}
	for i := range argv {
		argv[i] = rw.Rewrite(argv[i])
	}
	environ := []string{
		"PATH=" + image.Path,
		"HOSTNAME=" + r.pod.Name,
		"HOME=" + filepath.Join(r.dir, "home"),
	}
	if local, ok := mapping["/tmp"]; ok {
		environ = append(environ, "TMPDIR="+local)
	}
	names := make([]string, 0, len(env))
	for name := range env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		environ = append(environ, name+"="+rw.Rewrite(env[name]))
	}
	executable := argv[0]
	if !strings.Contains(executable, "/") {
		found := ""
		for _, dir := range filepath.SplitList(image.Path) {
			candidate := filepath.Join(dir, executable)
			if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
				found = candidate
				break
			}
		}
		if found == "" {
			return nil, termFile, fmt.Errorf("executable %q not found in the image's PATH %s", executable, image.Path)
		}
		executable = found
	}
	cmd, err := r.containerCommand(executable, argv)
	if err != nil {
		return nil, termFile, err
	}
	cmd.Env = environ
	cmd.Dir = r.dir
	workingDir := c.WorkingDir
	if workingDir == "" {
		workingDir = image.WorkingDir
	}
	if workingDir != "" {
		cmd.Dir = rw.Rewrite(workingDir)
		if cmd.Dir == workingDir {
			// Not mapped: a directory of this machine, used as is.
			if _, err := os.Stat(cmd.Dir); err != nil {
				return nil, termFile, fmt.Errorf("working directory %q: %w", workingDir, err)
			}
		}
	}
	return cmd, termFile, nil
}

// geteuid is os.Geteuid, replaced by the test of the refusal to run without root.
var geteuid = os.Geteuid

// containerCommand starts the container's process through the node binary's container init
// (containerInit), in a mount namespace of its own where the pod's hosts file is /etc/hosts;
// its own process group, so that stopping the pod reaches whatever it started. A pod on the
// host network keeps the machine's /etc/hosts, as the kubelet leaves it.
func (r *podRun) containerCommand(executable string, argv []string) (*exec.Cmd, error) {
	if uid := geteuid(); uid != 0 {
		return nil, fmt.Errorf("the pod runner is not root (uid %d): each container runs in a mount namespace of its own, where the pod's hosts file (Services' names, cluster DNS) is bind-mounted over /etc/hosts, which needs root; run the node as root rather than without DNS", uid)
	}
	hosts := hostsPath(r.dir)
	if r.pod.Spec.HostNetwork {
		hosts = ""
	}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = append([]string{argv[0], initCommand, hosts, executable}, argv...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Unshareflags: syscall.CLONE_NEWNS}
	return cmd, nil
}

// expand does the kubelet's $(VAR) expansion of command and args: $(NAME) of a defined
// variable is its value, $$ is a literal $, anything else stays.
func expand(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 == len(s) {
			out.WriteByte(s[i])
			continue
		}
		switch s[i+1] {
		case '$':
			out.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				out.WriteByte('$')
				continue
			}
			name := s[i+2 : i+2+end]
			if value, ok := env[name]; ok {
				out.WriteString(value)
			} else {
				out.WriteString(s[i : i+3+end])
			}
			i += 2 + end
		default:
			out.WriteByte('$')
		}
	}
	return out.String()
}

func readMessage(file string, limit int) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }()
	data, _ := io.ReadAll(io.LimitReader(f, int64(limit)))
	return string(data)
}

// logTail is the kubelet's FallbackToLogsOnError message: the last 80 lines of this run's
// log, at most 2048 bytes.
func logTail(file string, offset int64) string {
	data, err := os.ReadFile(file)
	if err != nil || int64(len(data)) < offset {
		return ""
	}
	data = data[offset:]
	lines := bytes.Split(bytes.TrimRight(data, "\n"), []byte("\n"))
	if len(lines) > maxLogMessageLines {
		lines = lines[len(lines)-maxLogMessageLines:]
	}
	tail := bytes.Join(lines, []byte("\n"))
	if len(tail) > maxLogMessageBytes {
		tail = tail[len(tail)-maxLogMessageBytes:]
	}
	if len(tail) > 0 {
		tail = append(tail, '\n')
	}
	return string(tail)
}

// StopAll kills every pod's processes when the node stops: none outlives it.
func (p *Provider) StopAll() {
	p.mu.Lock()
	runs := make([]*podRun, 0, len(p.pods))
	for _, run := range p.pods {
		runs = append(runs, run)
	}
	p.mu.Unlock()
	for _, run := range runs {
		run.stop(2 * time.Second)
	}
	for _, run := range runs {
		<-run.done
	}
}
