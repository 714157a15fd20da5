package main

import (
	"context"
	"errors"
	"io"
	"net"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	corelisters "k8s.io/client-go/listers/core/v1"
)

const dialTimeout = 5 * time.Second

// Proxy is kube-proxy's old userspace mode for this node's pods: for each TCP port of each
// Service with a ClusterIP it listens on ClusterIP:port (the API server allocates ClusterIPs
// from a 127.x range, and Linux treats all of 127/8 as local, so nothing on the host changes)
// and forwards each connection to a ready endpoint, in turn. A Service port with no ready
// endpoint has no listener, so a connection to it is refused, as kube-proxy's REJECT rule does.
// The endpoints are computed from the pods as the EndpointSlice controller would: the API server
// refuses loopback addresses in EndpointSlices, so there are none to read.
type Proxy struct {
	services corelisters.ServiceLister
	pods     corelisters.PodLister
	log      func(format string, args ...any)
	changed  chan struct{}

	mu    sync.Mutex
	ports map[string]*proxyPort // by ClusterIP:port
}

// proxyPort is one Service port's listener and the endpoints it forwards to.
type proxyPort struct {
	service  string // namespace/name:port, for the log
	listener net.Listener

	mu        sync.Mutex
	endpoints []string
	next      int
}

// NewProxy reads Services and this node's pods from the listers; call Changed when either changes.
func NewProxy(services corelisters.ServiceLister, pods corelisters.PodLister, log func(string, ...any)) *Proxy {
	return &Proxy{services: services, pods: pods, log: log, changed: make(chan struct{}, 1), ports: map[string]*proxyPort{}}
}

// Changed asks for a resync; many changes in a row make one.
func (p *Proxy) Changed() {
	select {
	case p.changed <- struct{}{}:
	default:
	}
}

// Run resyncs on every change until ctx ends, then closes every listener.
func (p *Proxy) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			p.apply(nil)
			return
		case <-p.changed:
			p.sync()
		}
	}
}

// serviceRoute is what one ClusterIP:port should forward to.
type serviceRoute struct {
	service   string
	endpoints []string
}

func (p *Proxy) sync() {
	services, err := p.services.List(labels.Everything())
	if err != nil {
		p.log("proxy: services: %v", err)
		return
	}
	pods, err := p.pods.List(labels.Everything())
	if err != nil {
		p.log("proxy: pods: %v", err)
		return
	}
	p.apply(routes(services, pods))
}

// routes maps each ClusterIP:port of a TCP Service port that has ready endpoints to them.
func routes(services []*corev1.Service, pods []*corev1.Pod) map[string]serviceRoute {
	out := map[string]serviceRoute{}
	for _, svc := range services {
		if !hasClusterIP(svc) {
			continue
		}
		for _, port := range svc.Spec.Ports {
			if port.Protocol != "" && port.Protocol != corev1.ProtocolTCP {
				continue
			}
			endpoints := serviceEndpoints(svc, port, pods)
			if len(endpoints) == 0 {
				continue
			}
			name := key(svc.Namespace, svc.Name) + ":" + strconv.Itoa(int(port.Port))
			if port.Name != "" {
				name = key(svc.Namespace, svc.Name) + ":" + port.Name
			}
			out[net.JoinHostPort(svc.Spec.ClusterIP, strconv.Itoa(int(port.Port)))] = serviceRoute{service: name, endpoints: endpoints}
		}
	}
	return out
}

// serviceEndpoints are the pod IP:port pairs a Service port routes to, sorted: the pods of the
// Service's namespace its selector matches, not being deleted, with an IP, Ready (or any, with
// publishNotReadyAddresses), that have the target port (a named one resolved per pod). A
// Service without a selector has none here: its endpoints would be EndpointSlices of its own,
// which the API server refuses for loopback addresses.
func serviceEndpoints(svc *corev1.Service, port corev1.ServicePort, pods []*corev1.Pod) []string {
	if len(svc.Spec.Selector) == 0 {
		return nil
	}
	selector := labels.SelectorFromSet(svc.Spec.Selector)
	var endpoints []string
	for _, pod := range pods {
		if pod.Namespace != svc.Namespace || pod.DeletionTimestamp != nil || pod.Status.PodIP == "" ||
			!selector.Matches(labels.Set(pod.Labels)) || !(svc.Spec.PublishNotReadyAddresses || podReady(pod)) {
			continue
		}
		target, ok := targetPort(pod, port)
		if !ok {
			continue
		}
		endpoints = append(endpoints, net.JoinHostPort(pod.Status.PodIP, strconv.Itoa(int(target))))
	}
	sort.Strings(endpoints)
	return endpoints
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// targetPort resolves a Service port's targetPort on a pod, as Kubernetes' FindPort: a number
// is itself (unset: the Service's port); a name is the containerPort of that name and the
// Service port's protocol in the pod's containers or sidecars. false: the pod has no such port.
func targetPort(pod *corev1.Pod, port corev1.ServicePort) (int32, bool) {
	if port.TargetPort.Type == intstr.Int {
		if port.TargetPort.IntVal == 0 {
			return port.Port, true
		}
		return port.TargetPort.IntVal, true
	}
	protocol := port.Protocol
	if protocol == "" {
		protocol = corev1.ProtocolTCP
	}
	containers := append([]corev1.Container{}, pod.Spec.Containers...)
	for _, c := range pod.Spec.InitContainers {
		if isSidecar(&c) {
			containers = append(containers, c)
		}
	}
	for _, c := range containers {
		for _, cp := range c.Ports {
			cpProtocol := cp.Protocol
			if cpProtocol == "" {
				cpProtocol = corev1.ProtocolTCP
			}
			if cp.Name == port.TargetPort.StrVal && cpProtocol == protocol {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

// apply makes the listeners match the routes: new ones opened, gone ones closed (refusing
// connections again), the others' endpoints replaced. nil: the node stops, every one closed.
func (p *Proxy) apply(want map[string]serviceRoute) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for addr, port := range p.ports {
		if _, ok := want[addr]; !ok {
			_ = port.listener.Close()
			delete(p.ports, addr)
			if want != nil {
				p.log("proxy: %s (%s): no ready endpoint, connections refused", addr, port.service)
			}
		}
	}
	for addr, route := range want {
		if port, ok := p.ports[addr]; ok {
			port.mu.Lock()
			changed := !equalStrings(port.endpoints, route.endpoints)
			port.endpoints = route.endpoints
			port.mu.Unlock()
			if changed {
				p.log("proxy: %s (%s) -> %v", addr, route.service, route.endpoints)
			}
			continue
		}
		listener, err := net.Listen("tcp", addr)
		if err != nil {
			p.log("proxy: %s (%s): %v (the ClusterIP must be local: the API server's --service-cluster-ip-range a 127.x range)", addr, route.service, err)
			continue
		}
		port := &proxyPort{service: route.service, listener: listener, endpoints: route.endpoints}
		p.ports[addr] = port
		p.log("proxy: %s (%s) -> %v", addr, route.service, route.endpoints)
		go port.serve(p.log)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// pick returns the endpoints in the order to try them: round robin, each connection starting
// one further.
func (port *proxyPort) pick() []string {
	port.mu.Lock()
	defer port.mu.Unlock()
	n := len(port.endpoints)
	if n == 0 {
		return nil
	}
	start := port.next % n
	port.next = start + 1
	return append(append([]string{}, port.endpoints[start:]...), port.endpoints[:start]...)
}

func (port *proxyPort) serve(log func(string, ...any)) {
	for {
		conn, err := port.listener.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				log("proxy: %s: accept: %v", port.service, err)
			}
			return
		}
		go port.forward(conn.(*net.TCPConn), log)
	}
}

// forward connects the client to the first endpoint that answers (kube-proxy's userspace mode
// also tried the next one) and copies both ways, passing on each side's half-close.
func (port *proxyPort) forward(client *net.TCPConn, log func(string, ...any)) {
	defer func() { _ = client.Close() }()
	var backend *net.TCPConn
	for _, endpoint := range port.pick() {
		conn, err := net.DialTimeout("tcp", endpoint, dialTimeout)
		if err == nil {
			backend = conn.(*net.TCPConn)
			break
		}
		log("proxy: %s: endpoint %s: %v", port.service, endpoint, err)
	}
	if backend == nil {
		return
	}
	defer func() { _ = backend.Close() }()
	done := make(chan struct{}, 2)
	pipe := func(to, from *net.TCPConn) {
		_, _ = io.Copy(to, from)
		_ = to.CloseWrite()
		done <- struct{}{}
	}
	go pipe(backend, client)
	go pipe(client, backend)
	<-done
	<-done
}
