package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	ktesting "k8s.io/client-go/testing"
)

// TestMain lets the test binary be a container's init too: containers start through
// /proc/self/exe (containerCommand), which is this binary under go test.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == initCommand {
		containerInit(os.Args[2:])
	}
	os.Exit(m.Run())
}

func TestRewrite(t *testing.T) {
	rw := NewRewriter(map[string]string{"/tmp": "/L/tmp", "/app": "/L/app", "/app/migrations": "/L/m", "/dev/termination-log": "/L/term"})
	for in, want := range map[string]string{
		"/tmp":                           "/L/tmp",
		"/tmp/alert/payload.json":        "/L/tmp/alert/payload.json",
		"${TMPDIR:-/tmp}/x":              "${TMPDIR:-/tmp}/x", // ${TMPDIR:-/tmp}: '-' before, rewritten below
		"/tmpfoo":                        "/tmpfoo",
		"/var/tmp":                       "/var/tmp",
		"cp -R /app/migrations/. /x":     "cp -R /L/m/. /x",
		"/app/other":                     "/L/app/other",
		"echo hi > /dev/termination-log": "echo hi > /L/term",
		"a=/tmp:b":                       "a=/L/tmp:b",
		"no paths":                       "no paths",
	} {
		got := rw.Rewrite(in)
		if in == "${TMPDIR:-/tmp}/x" {
			want = "${TMPDIR:-/L/tmp}/x"
		}
		if got != want {
			t.Errorf("Rewrite(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpand(t *testing.T) {
	env := map[string]string{"A": "1", "B": "two"}
	for in, want := range map[string]string{
		"$(A)-$(B)": "1-two",
		"$(C)":      "$(C)",
		"$$(A)":     "$(A)",
		"$HOME":     "$HOME",
		"x$":        "x$",
	} {
		if got := expand(in, env); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogTail(t *testing.T) {
	file := filepath.Join(t.TempDir(), "log")
	var lines []string
	for i := 0; i < 100; i++ {
		lines = append(lines, "line")
	}
	if err := os.WriteFile(file, []byte("old run\n"+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tail := logTail(file, int64(len("old run\n")))
	if got := strings.Count(tail, "\n"); got != maxLogMessageLines {
		t.Errorf("tail has %d lines, want %d", got, maxLogMessageLines)
	}
}

// The virtual-kubelet controllers and our provider against a fake clientset: the pod's
// init container, env from a Secret and the downward API, a ConfigMap volume with items and
// a mode, an emptyDir shared between containers, the termination message, and the exit code.
func TestPodsOnFakeCluster(t *testing.T) {
	images, err := LoadImages("images.yaml")
	if err != nil {
		t.Fatal(err)
	}
	optional := true
	mode := int32(0o500)
	never := corev1.RestartPolicyNever
	always := corev1.ContainerRestartPolicyAlways
	client := fake.NewClientset(
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "creds", Namespace: "ns"}, Data: map[string][]byte{"password": []byte("s3cret")}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "scripts", Namespace: "ns"}, Data: map[string]string{"run.sh": "echo script ran\n", "other": "x"}},
	)
	// The fake tracker keeps no resourceVersion; virtual-kubelet needs one (as in its own tests).
	client.PrependReactor("create", "pods", func(action ktesting.Action) (bool, runtime.Object, error) {
		action.(ktesting.CreateAction).GetObject().(*corev1.Pod).ResourceVersion = "1"
		return false, nil, nil
	})
	client.PrependReactor("update", "pods", func(action ktesting.Action) (bool, runtime.Object, error) {
		pod := action.(ktesting.UpdateAction).GetObject().(*corev1.Pod)
		version, _ := strconv.Atoi(pod.ResourceVersion)
		pod.ResourceVersion = strconv.Itoa(version + 1)
		return false, nil, nil
	})
	dir := t.TempDir()
	provider := NewProvider("test-node", dir, images, client, t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error)
	ready := make(chan struct{})
	go func() {
		stopped <- Run(ctx, client, provider, Options{NodeName: "test-node", CPU: "2", Memory: "4Gi", Pods: "10"}, func() { close(ready) })
	}()
	defer func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		t.Fatal("controllers not ready")
	}
	nodeObj, err := client.CoreV1().Nodes().Get(ctx, "test-node", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if q := nodeObj.Status.Allocatable[corev1.ResourcePods]; q.String() != "10" || nodeObj.Spec.Unschedulable {
		t.Errorf("node: allocatable pods %s, unschedulable %v", q.String(), nodeObj.Spec.Unschedulable)
	}

	volumes := []corev1.Volume{
		{Name: "scripts", VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "scripts"},
			Items:                []corev1.KeyToPath{{Key: "run.sh", Path: "bin/run.sh", Mode: &mode}},
			Optional:             &optional,
		}}},
		{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	mounts := []corev1.VolumeMount{{Name: "scripts", MountPath: "/scripts"}, {Name: "work", MountPath: "/work"}}
	failing := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "failing", Namespace: "ns", UID: "u1"},
		Spec: corev1.PodSpec{
			NodeName:      "test-node",
			RestartPolicy: never,
			Volumes:       volumes,
			InitContainers: []corev1.Container{
				{Name: "prepare", Image: "busybox:1.36", Command: []string{"sh", "-c", "echo from-init > /work/init.txt"}, VolumeMounts: mounts},
			},
			Containers: []corev1.Container{{
				Name:  "main",
				Image: "busybox:1.36",
				Command: []string{"sh", "-c",
					"/scripts/bin/run.sh; cat /work/init.txt; echo \"$PASSWORD $POD_NAME $(GREETING)\"; echo 'it broke' > /dev/termination-log; exit 3"},
				Env: []corev1.EnvVar{
					{Name: "PASSWORD", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "creds"}, Key: "password"}}},
					{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
					{Name: "GREETING", Value: "hello"},
				},
				VolumeMounts: mounts,
			}},
		},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, failing, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := waitPhase(t, client, "failing", corev1.PodFailed)
	main := pod.Status.ContainerStatuses[0].State.Terminated
	if main == nil || main.ExitCode != 3 || main.Reason != "Error" || main.Message != "it broke\n" {
		t.Errorf("main container: %+v", pod.Status.ContainerStatuses[0].State)
	}
	if init := pod.Status.InitContainerStatuses[0].State.Terminated; init == nil || init.ExitCode != 0 || init.Reason != "Completed" {
		t.Errorf("init container: %+v", pod.Status.InitContainerStatuses[0].State)
	}
	podDir := filepath.Join(dir, "ns_failing_u1")
	log, err := os.ReadFile(filepath.Join(podDir, "logs", "main.log"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "script ran\nfrom-init\ns3cret failing hello\n"; string(log) != want {
		t.Errorf("log %q, want %q", log, want)
	}
	if info, err := os.Stat(filepath.Join(podDir, "volumes", "scripts", "bin", "run.sh")); err != nil || info.Mode().Perm() != 0o500 {
		t.Errorf("run.sh: %v %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(podDir, "volumes", "scripts", "other")); !os.IsNotExist(err) {
		t.Errorf("a key not in items was written: %v", err)
	}

	// A native sidecar keeps running beside the container; the pod succeeds when the
	// container does, and the sidecar is stopped then. FallbackToLogsOnError is not used on success.
	succeeding := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "succeeding", Namespace: "ns", UID: "u2"},
		Spec: corev1.PodSpec{
			NodeName:      "test-node",
			RestartPolicy: corev1.RestartPolicyOnFailure,
			Volumes:       volumes,
			InitContainers: []corev1.Container{
				{Name: "sidecar", Image: "busybox:1.36", RestartPolicy: &always, Command: []string{"sh", "-c", "touch /work/sidecar-up; exec sleep 300"}, VolumeMounts: mounts},
			},
			Containers: []corev1.Container{{
				Name: "main", Image: "busybox:1.36", VolumeMounts: mounts,
				TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
				Command:                  []string{"sh", "-c", "while [ ! -e /work/sidecar-up ]; do sleep 0.1; done; echo done"},
			}},
		},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, succeeding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod = waitPhase(t, client, "succeeding", corev1.PodSucceeded)
	if main := pod.Status.ContainerStatuses[0].State.Terminated; main == nil || main.ExitCode != 0 || main.Message != "" {
		t.Errorf("main: %+v", pod.Status.ContainerStatuses[0].State)
	}
	if sidecar := pod.Status.InitContainerStatuses[0].State.Terminated; sidecar == nil || sidecar.ExitCode != 143 {
		t.Errorf("sidecar (SIGTERM on the pod's end): %+v", pod.Status.InitContainerStatuses[0].State)
	}

	// FallbackToLogsOnError: the log's tail is the message.
	fallback := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "fallback", Namespace: "ns", UID: "u3"},
		Spec: corev1.PodSpec{NodeName: "test-node", RestartPolicy: never, Containers: []corev1.Container{{
			Name: "main", Image: "alpine:3", TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
			Command: []string{"sh", "-c", "echo first; echo last words >&2; exit 7"},
		}}},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, fallback, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod = waitPhase(t, client, "fallback", corev1.PodFailed)
	if main := pod.Status.ContainerStatuses[0].State.Terminated; main == nil || main.ExitCode != 7 || main.Message != "first\nlast words\n" {
		t.Errorf("fallback: %+v", pod.Status.ContainerStatuses[0].State)
	}

	// The example's images: the app image's /app/migrations (images.yaml) copied into an
	// emptyDir by one container and listed by the next through an env value, /tmp an emptyDir
	// (TMPDIR points at it too), as in the rendered migration Job.
	migrationsPod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "migrations", Namespace: "ns", UID: "u5"},
		Spec: corev1.PodSpec{
			NodeName: "test-node", RestartPolicy: never,
			Volumes: []corev1.Volume{
				{Name: "migrations", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
			},
			InitContainers: []corev1.Container{{
				Name: "copy-migrations", Image: "ghcr.io/acme/shop:v1.2.0",
				Command:      []string{"cp", "-R", "/app/migrations/.", "/migrations/"},
				VolumeMounts: []corev1.VolumeMount{{Name: "migrations", MountPath: "/migrations"}},
			}},
			Containers: []corev1.Container{{
				Name: "migrate", Image: "postgres:18.1-alpine",
				Command: []string{"sh", "-c", `ls "$MIGRATIONS_DIR" | head -n 1; cd /tmp && test "$(pwd)" = "$TMPDIR" && echo tmp ok`},
				Env:     []corev1.EnvVar{{Name: "MIGRATIONS_DIR", Value: "/migrations"}},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "migrations", MountPath: "/migrations", ReadOnly: true},
					{Name: "tmp", MountPath: "/tmp"},
				},
			}},
		},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, migrationsPod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitPhase(t, client, "migrations", corev1.PodSucceeded)
	log, err = os.ReadFile(filepath.Join(dir, "ns_migrations_u5", "logs", "migrate.log"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0001_create_customers.sql\ntmp ok\n"; string(log) != want {
		t.Errorf("migrate log %q, want %q", log, want)
	}

	// OnFailure: a container that fails once is restarted, and the pod succeeds; the first
	// run's termination is kept as its last state.
	retried := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "retried", Namespace: "ns", UID: "u6"},
		Spec: corev1.PodSpec{
			NodeName: "test-node", RestartPolicy: corev1.RestartPolicyOnFailure,
			Volumes: []corev1.Volume{{Name: "work", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
			Containers: []corev1.Container{{
				Name: "main", Image: "alpine:3",
				Command:      []string{"sh", "-c", "if [ -e /work/tried ]; then exit 0; fi; touch /work/tried; exit 5"},
				VolumeMounts: []corev1.VolumeMount{{Name: "work", MountPath: "/work"}},
			}},
		},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, retried, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod = waitPhase(t, client, "retried", corev1.PodSucceeded)
	if s := pod.Status.ContainerStatuses[0]; s.RestartCount != 1 || s.LastTerminationState.Terminated == nil || s.LastTerminationState.Terminated.ExitCode != 5 {
		t.Errorf("retried: %+v", s)
	}

	// An image with no entry in the mapping is never pulled: the pod stays Pending, saying so.
	unmapped := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "unmapped", Namespace: "ns", UID: "u7"},
		Spec:       corev1.PodSpec{NodeName: "test-node", Containers: []corev1.Container{{Name: "main", Image: "nginx:1.29"}}},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, unmapped, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		pod, _ = client.CoreV1().Pods("ns").Get(ctx, "unmapped", metav1.GetOptions{})
		if len(pod.Status.ContainerStatuses) == 1 && pod.Status.ContainerStatuses[0].State.Waiting != nil &&
			pod.Status.ContainerStatuses[0].State.Waiting.Reason == "ErrImageNeverPull" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("unmapped image: %+v", pod.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if w := pod.Status.ContainerStatuses[0].State.Waiting; pod.Status.Phase != corev1.PodPending || !strings.Contains(w.Message, "images.yaml") {
		t.Errorf("unmapped image: phase %s, %+v", pod.Status.Phase, w)
	}
	if err := provider.DeletePod(ctx, pod); err != nil {
		t.Fatal(err)
	}

	// A long-running pod is Running and Ready; deleting it kills its process group.
	running := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "running", Namespace: "ns", UID: "u4"},
		Spec: corev1.PodSpec{NodeName: "test-node", Containers: []corev1.Container{{
			Name: "main", Image: "alpine:3", Command: []string{"sh", "-c", "sleep 300 & wait"},
		}}},
	}
	if _, err := client.CoreV1().Pods("ns").Create(ctx, running, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod = waitPhase(t, client, "running", corev1.PodRunning)
	deadline = time.Now().Add(20 * time.Second)
	for !podReady(pod) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		pod, _ = client.CoreV1().Pods("ns").Get(ctx, "running", metav1.GetOptions{})
	}
	if !podReady(pod) {
		t.Fatalf("running pod never Ready: %+v", pod.Status)
	}
	if !strings.HasPrefix(pod.Status.PodIP, "127.1.") || pod.Status.HostIP != "127.0.0.1" {
		t.Errorf("pod IP %q, host IP %q", pod.Status.PodIP, pod.Status.HostIP)
	}
	provider.mu.Lock()
	run := provider.pods["ns/running"]
	provider.mu.Unlock()
	run.mu.Lock()
	pid := run.procs["main"].cmd.Process.Pid
	run.mu.Unlock()
	if err := provider.DeletePod(ctx, pod); err != nil {
		t.Fatal(err)
	}
	if err := syscallKill0(-pid); err == nil {
		t.Errorf("process group %d still alive after DeletePod", pid)
	}
}

func waitPhase(t *testing.T, client *fake.Clientset, name string, phase corev1.PodPhase) *corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		pod, err := client.CoreV1().Pods("ns").Get(context.Background(), name, metav1.GetOptions{})
		if err == nil && pod.Status.Phase == phase {
			return pod
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod %s: not %s after 30s: %+v (%v)", name, phase, pod.Status, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// syscallKill0 is kill(pid, 0) polled for 5 s: nil while the process (or group) exists.
func syscallKill0(pid int) error {
	var err error
	for i := 0; i < 50; i++ {
		if err = syscall.Kill(pid, 0); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}
