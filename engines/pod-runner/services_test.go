package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
)

func service(namespace, name, clusterIP string, selector map[string]string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec:       corev1.ServiceSpec{ClusterIP: clusterIP, Selector: selector, Ports: ports},
	}
}

func readyPod(namespace, name, ip string, ready bool, labels map[string]string, ports ...corev1.ContainerPort) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: labels},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Ports: ports}}},
		Status: corev1.PodStatus{PodIP: ip, Phase: corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}},
	}
}

func TestHostsFile(t *testing.T) {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "smoke-abc", Namespace: "shop"},
		Spec:       corev1.PodSpec{HostAliases: []corev1.HostAlias{{IP: "127.0.0.9", Hostnames: []string{"db.example", "db"}}}},
	}
	headless := service("shop", "headless", corev1.ClusterIPNone, nil)
	external := service("shop", "ext", "", nil)
	external.Spec.Type = corev1.ServiceTypeExternalName
	got := string(hostsFile(pod, "127.1.0.7", []*corev1.Service{
		service("shop", "shop", "127.2.0.10", nil),
		service("other", "db", "127.2.0.11", nil),
		headless,
		external,
	}))
	want := "# Kubernetes-managed hosts file (pod-runner).\n" +
		"127.0.0.1\tlocalhost\n" +
		"::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\n" +
		"fe00::0\tip6-mcastprefix\n" +
		"fe00::1\tip6-allnodes\n" +
		"fe00::2\tip6-allrouters\n" +
		"127.1.0.7\tsmoke-abc\n" +
		"\n# Entries added by HostAliases.\n" +
		"127.0.0.9\tdb.example\tdb\n" +
		"\n# Services, as cluster DNS answers this pod (pod-runner: no DNS server runs).\n" +
		"127.2.0.11\tdb.other.svc.cluster.local\tdb.other.svc\tdb.other\n" +
		"127.2.0.10\tshop.shop.svc.cluster.local\tshop.shop.svc\tshop.shop\tshop\n"
	if got != want {
		t.Errorf("hosts file:\n%s\nwant:\n%s", got, want)
	}

	pod.Spec = corev1.PodSpec{Hostname: "web-0", Subdomain: "web"}
	if got := string(hostsFile(pod, "127.1.0.8", nil)); !strings.HasSuffix(got, "127.1.0.8\tweb-0.web.shop.svc.cluster.local\tweb-0\n") {
		t.Errorf("a pod with hostname and subdomain:\n%s", got)
	}
}

func TestTargetPort(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	pod := readyPod("ns", "p", "127.1.0.1", true, nil,
		corev1.ContainerPort{Name: "http", ContainerPort: 8080},
		corev1.ContainerPort{Name: "dns", ContainerPort: 53, Protocol: corev1.ProtocolUDP})
	pod.Spec.InitContainers = []corev1.Container{
		{Name: "sidecar", RestartPolicy: &always, Ports: []corev1.ContainerPort{{Name: "metrics", ContainerPort: 9090}}},
		{Name: "init", Ports: []corev1.ContainerPort{{Name: "setup", ContainerPort: 7070}}},
	}
	for _, c := range []struct {
		port corev1.ServicePort
		want int32
		ok   bool
	}{
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(8081)}, 8081, true},
		{corev1.ServicePort{Port: 80}, 80, true},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}, 8080, true},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}, 8080, true},
		{corev1.ServicePort{Port: 53, TargetPort: intstr.FromString("dns")}, 0, false},
		{corev1.ServicePort{Port: 53, TargetPort: intstr.FromString("dns"), Protocol: corev1.ProtocolUDP}, 53, true},
		{corev1.ServicePort{Port: 90, TargetPort: intstr.FromString("metrics")}, 9090, true},
		{corev1.ServicePort{Port: 70, TargetPort: intstr.FromString("setup")}, 0, false},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("missing")}, 0, false},
	} {
		got, ok := targetPort(pod, c.port)
		if got != c.want || ok != c.ok {
			t.Errorf("targetPort(%v) = %d, %v; want %d, %v", c.port.TargetPort.String(), got, ok, c.want, c.ok)
		}
	}
}

func TestServiceEndpoints(t *testing.T) {
	app := map[string]string{"app": "shop"}
	httpPort := corev1.ContainerPort{Name: "http", ContainerPort: 8080}
	deleting := readyPod("shop", "deleting", "127.1.0.5", true, app, httpPort)
	deleting.DeletionTimestamp = &metav1.Time{Time: time.Now()}
	pods := []*corev1.Pod{
		readyPod("shop", "b", "127.1.0.2", true, app, httpPort),
		readyPod("shop", "a", "127.1.0.1", true, map[string]string{"app": "shop", "extra": "x"}, httpPort),
		readyPod("shop", "not-ready", "127.1.0.3", false, app, httpPort),
		readyPod("shop", "no-ip", "", true, app, httpPort),
		readyPod("shop", "other-labels", "127.1.0.4", true, map[string]string{"app": "other"}, httpPort),
		readyPod("other", "other-namespace", "127.1.0.6", true, app, httpPort),
		readyPod("shop", "no-named-port", "127.1.0.7", true, app, corev1.ContainerPort{Name: "web", ContainerPort: 9000}),
		deleting,
	}
	named := corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}
	svc := service("shop", "shop", "127.2.0.10", app, named)
	if got, want := serviceEndpoints(svc, named, pods), []string{"127.1.0.1:8080", "127.1.0.2:8080"}; !equalStrings(got, want) {
		t.Errorf("endpoints %v, want %v", got, want)
	}
	numeric := corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(9000)}
	if got, want := serviceEndpoints(svc, numeric, pods), []string{"127.1.0.1:9000", "127.1.0.2:9000", "127.1.0.7:9000"}; !equalStrings(got, want) {
		t.Errorf("numeric targetPort: endpoints %v, want %v", got, want)
	}
	svc.Spec.PublishNotReadyAddresses = true
	if got, want := serviceEndpoints(svc, named, pods), []string{"127.1.0.1:8080", "127.1.0.2:8080", "127.1.0.3:8080"}; !equalStrings(got, want) {
		t.Errorf("publishNotReadyAddresses: endpoints %v, want %v", got, want)
	}
	if got := serviceEndpoints(service("shop", "manual", "127.2.0.11", nil, named), named, pods); len(got) != 0 {
		t.Errorf("a Service without a selector: endpoints %v, want none", got)
	}

	udp := corev1.ServicePort{Name: "dns", Port: 53, Protocol: corev1.ProtocolUDP}
	headless := service("shop", "headless", corev1.ClusterIPNone, app, named)
	nobody := service("shop", "nobody", "127.2.0.12", map[string]string{"app": "none"}, named)
	got := routes([]*corev1.Service{service("shop", "shop", "127.2.0.10", app, named, udp), headless, nobody}, pods)
	if len(got) != 1 || !equalStrings(got["127.2.0.10:80"].endpoints, []string{"127.1.0.1:8080", "127.1.0.2:8080"}) {
		t.Errorf("routes: %v, want only 127.2.0.10:80 (UDP, headless and endpoint-less ports have no listener)", got)
	}
}

// echoServer answers each connection with its own name, on a free port of ip.
func echoServer(t *testing.T, ip, name string, port int) int {
	t.Helper()
	listener, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = listener.Close() })
	go func() {
		for {
			conn, err := listener.Accept()
			if err != nil {
				return
			}
			_, _ = io.WriteString(conn, name)
			_ = conn.Close()
		}
	}()
	return listener.Addr().(*net.TCPAddr).Port
}

func listers(t *testing.T, services []*corev1.Service, pods []*corev1.Pod) (corelisters.ServiceLister, corelisters.PodLister, cache.Indexer) {
	t.Helper()
	serviceIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	podIndex := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, svc := range services {
		if err := serviceIndex.Add(svc); err != nil {
			t.Fatal(err)
		}
	}
	for _, pod := range pods {
		if err := podIndex.Add(pod); err != nil {
			t.Fatal(err)
		}
	}
	return corelisters.NewServiceLister(serviceIndex), corelisters.NewPodLister(podIndex), podIndex
}

func dialRead(addr string) (string, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return "", err
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	data, err := io.ReadAll(conn)
	return string(data), err
}

// The proxy forwards ClusterIP:port to the ready endpoints in turn, follows readiness, and
// refuses connections (no listener) when no endpoint is ready.
func TestProxy(t *testing.T) {
	port := echoServer(t, "127.1.250.1", "first", 0)
	echoServer(t, "127.1.250.2", "second", port)
	app := map[string]string{"app": "echo"}
	named := corev1.ContainerPort{Name: "echo", ContainerPort: int32(port)}
	first := readyPod("ns", "first", "127.1.250.1", true, app, named)
	second := readyPod("ns", "second", "127.1.250.2", true, app, named)
	svc := service("ns", "echo", "127.2.250.1", app, corev1.ServicePort{Port: 7000, TargetPort: intstr.FromString("echo")})
	services, pods, podIndex := listers(t, []*corev1.Service{svc}, []*corev1.Pod{first, second})
	proxy := NewProxy(services, pods, t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { proxy.Run(ctx); close(stopped) }()
	defer func() { cancel(); <-stopped }()

	addr := "127.2.250.1:7000"
	// Wait for the first sync, then the answers alternate.
	proxy.Changed()
	var answers []string
	deadline := time.Now().Add(10 * time.Second)
	for len(answers) < 4 {
		answer, err := dialRead(addr)
		if err != nil {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v", addr, err)
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		answers = append(answers, answer)
	}
	if answers[0] == answers[1] || answers[0] != answers[2] || answers[1] != answers[3] {
		t.Errorf("answers %v: want the two endpoints in turn", answers)
	}

	// No ready endpoint: refused, as kube-proxy's REJECT.
	for _, pod := range []*corev1.Pod{first, second} {
		notReady := pod.DeepCopy()
		notReady.Status.Conditions[0].Status = corev1.ConditionFalse
		if err := podIndex.Update(notReady); err != nil {
			t.Fatal(err)
		}
	}
	proxy.Changed()
	if err := waitFor(func() bool {
		_, err := dialRead(addr)
		return errors.Is(err, syscall.ECONNREFUSED)
	}); err != nil {
		t.Errorf("%s with no ready endpoint: want connection refused", addr)
	}

	// Ready again: only the second.
	if err := podIndex.Update(second); err != nil {
		t.Fatal(err)
	}
	proxy.Changed()
	if err := waitFor(func() bool {
		a, errA := dialRead(addr)
		b, errB := dialRead(addr)
		return errA == nil && errB == nil && a == "second" && b == "second"
	}); err != nil {
		t.Errorf("%s with one ready endpoint: want it every time", addr)
	}
}

func waitFor(ok func() bool) error {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return nil
		}
	}
	return fmt.Errorf("not within 10s")
}

// A container's process sees the pod's hosts file as /etc/hosts: glibc's resolver (getent,
// GNU wget, curl) and busybox's wget find a Service by name; a Service added while the
// container runs resolves too (the file is rewritten in place); the host's /etc/hosts is left
// alone.
func TestContainerResolvesServices(t *testing.T) {
	server := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })}
	listener, err := net.Listen("tcp", "127.2.251.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = server.Serve(listener) }()
	defer func() { _ = server.Close() }()
	port := listener.Addr().(*net.TCPAddr).Port

	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "smoke", Namespace: "shop"}}
	run := &podRun{p: &Provider{}, pod: pod, dir: t.TempDir(), ip: "127.1.251.9"}
	shop := service("shop", "shop", "127.2.251.1", nil)
	if err := run.writeHosts([]*corev1.Service{shop}, true); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("http://shop.shop.svc:%d/health", port)
	for _, argv := range [][]string{
		{"getent", "hosts", "shop.shop.svc"},
		{"wget", "-q", "-O", "-", "-T", "5", url},
		// No -T: Debian's busybox 1.35 wget segfaults with it, whatever the address.
		{"busybox", "wget", "-q", "-O", "-", url},
		{"curl", "-fsS", "-m", "5", url},
		{"curl", "-fsS", "-m", "5", fmt.Sprintf("http://shop:%d/health", port)},
		{"curl", "-fsS", "-m", "5", fmt.Sprintf("http://shop.shop.svc.cluster.local:%d/health", port)},
		{"getent", "hosts", "smoke"},
	} {
		executable, err := exec.LookPath(argv[0])
		if err != nil {
			t.Fatalf("%s: %v (the test needs it on this machine)", argv[0], err)
		}
		cmd, err := run.containerCommand(executable, argv)
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%q: %v\n%s", argv, err, out)
			continue
		}
		want := "ok\n"
		switch argv[0] {
		case "getent":
			want = map[string]string{"shop.shop.svc": "127.2.251.1", "smoke": "127.1.251.9"}[argv[2]]
			out = []byte(strings.Fields(string(out))[0])
		}
		if string(out) != want {
			t.Errorf("%q: %q, want %q", argv, out, want)
		}
	}

	// A Service created after the container started resolves in it.
	cmd, err := run.containerCommand("/bin/sh", []string{"sh", "-c", "until getent hosts late.other.svc; do sleep 0.1; done"})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	time.Sleep(300 * time.Millisecond)
	if err := run.writeHosts([]*corev1.Service{shop, service("other", "late", "127.2.251.2", nil)}, false); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waited:
		if err != nil || !strings.HasPrefix(out.String(), "127.2.251.2") {
			t.Errorf("late Service: %v, %q", err, out.String())
		}
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		t.Error("a Service added while the container ran did not resolve in it")
	}

	if hosts, err := exec.Command("getent", "hosts", "shop.shop.svc").Output(); err == nil {
		t.Errorf("the host resolves shop.shop.svc (%q): the pod's hosts file leaked out of its mount namespace", hosts)
	}
}

// Without root there is no mount namespace, so no /etc/hosts of the pod's: the container fails
// to start saying so, rather than running without cluster DNS.
func TestContainerNeedsRoot(t *testing.T) {
	defer func(real func() int) { geteuid = real }(geteuid)
	geteuid = func() int { return 1000 }
	run := &podRun{p: &Provider{}, pod: &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}}, dir: t.TempDir()}
	_, err := run.containerCommand("/bin/true", []string{"true"})
	if err == nil || !strings.Contains(err.Error(), "not root (uid 1000)") || !strings.Contains(err.Error(), "run the node as root") {
		t.Errorf("containerCommand as uid 1000: %v, want a refusal naming root", err)
	}
}
