// pod-runner is a Kubernetes node whose pods' containers run as local processes: a
// virtual-kubelet (github.com/virtual-kubelet/virtual-kubelet v1.14.1, its node package)
// with a PodLifecycleHandler of our own (provider.go). Images are never pulled: images.yaml
// maps each image to this machine's binaries and directories. See engines/README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/record"
)

// Options are the node's settings.
type Options struct {
	NodeName string
	StateDir string
	CPU      string
	Memory   string
	Pods     string
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == initCommand {
		containerInit(os.Args[2:])
	}
	var opts Options
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the cluster to join (required)")
	imagesFile := flag.String("images", "", "the image mapping (engines/pod-runner/images.yaml; required)")
	flag.StringVar(&opts.NodeName, "node-name", "pod-runner", "the Node's name")
	flag.StringVar(&opts.StateDir, "state-dir", "", "where each pod's volumes, logs and termination messages are kept (required)")
	flag.StringVar(&opts.CPU, "cpu", fmt.Sprint(runtime.NumCPU()), "allocatable cpu")
	flag.StringVar(&opts.Memory, "memory", "8Gi", "allocatable memory")
	flag.StringVar(&opts.Pods, "pods", "110", "allocatable pods")
	flag.Parse()
	if *kubeconfig == "" || *imagesFile == "" || opts.StateDir == "" {
		fmt.Fprintln(os.Stderr, "pod-runner: --kubeconfig, --images and --state-dir are required")
		os.Exit(2)
	}
	images, err := LoadImages(*imagesFile)
	if err != nil {
		fail(err)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail(err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fail(err)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()
	logf := func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "%s pod-runner: %s\n", time.Now().UTC().Format("15:04:05.000"), fmt.Sprintf(format, args...))
	}
	provider := NewProvider(opts.NodeName, opts.StateDir, images, client, logf)
	if err := Run(ctx, client, provider, opts, func() { fmt.Println("pod-runner: node " + opts.NodeName + " ready") }); err != nil && ctx.Err() == nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "pod-runner:", err)
	os.Exit(1)
}

// NodeObject is the Node registered: Ready, schedulable, with the given allocatable resources.
func NodeObject(opts Options) (*corev1.Node, error) {
	resources := corev1.ResourceList{}
	for name, value := range map[corev1.ResourceName]string{corev1.ResourceCPU: opts.CPU, corev1.ResourceMemory: opts.Memory, corev1.ResourcePods: opts.Pods} {
		quantity, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", name, value, err)
		}
		resources[name] = quantity
	}
	now := metav1.Now()
	condition := func(kind corev1.NodeConditionType, status corev1.ConditionStatus, reason, message string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: kind, Status: status, Reason: reason, Message: message, LastHeartbeatTime: now, LastTransitionTime: now}
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name: opts.NodeName,
			Labels: map[string]string{
				"kubernetes.io/hostname": opts.NodeName,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     runtime.GOARCH,
				"type":                   "pod-runner",
			},
		},
		Status: corev1.NodeStatus{
			Capacity:    resources,
			Allocatable: resources.DeepCopy(),
			Conditions: []corev1.NodeCondition{
				condition(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "pod-runner runs pods as local processes"),
				condition(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", ""),
				condition(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", ""),
				condition(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", ""),
				condition(corev1.NodeNetworkUnavailable, corev1.ConditionFalse, "RouteCreated", "loopback"),
			},
			Addresses: []corev1.NodeAddress{
				{Type: corev1.NodeInternalIP, Address: "127.0.0.1"},
				{Type: corev1.NodeHostName, Address: opts.NodeName},
			},
			NodeInfo: corev1.NodeSystemInfo{
				OperatingSystem:         "linux",
				Architecture:            runtime.GOARCH,
				KubeletVersion:          "v1.36.3",
				ContainerRuntimeVersion: "pod-runner://local-processes",
			},
		},
	}, nil
}

// Run registers the node and runs pods bound to it until ctx ends; ready is called once both
// controllers run.
func Run(ctx context.Context, client kubernetes.Interface, provider *Provider, opts Options, ready func()) error {
	nodeObject, err := NodeObject(opts)
	if err != nil {
		return err
	}
	nodeController, err := node.NewNodeController(node.NewNaiveNodeProvider(), nodeObject, client.CoreV1().Nodes(),
		node.WithNodeEnableLeaseV1(client.CoordinationV1().Leases(corev1.NamespaceNodeLease), 0))
	if err != nil {
		return err
	}
	podInformers := informers.NewSharedInformerFactoryWithOptions(client, time.Minute,
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("spec.nodeName", opts.NodeName).String()
		}))
	otherInformers := informers.NewSharedInformerFactory(client, time.Minute)
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: client.CoreV1().Events("")})
	defer broadcaster.Shutdown()
	recorder := broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "pod-runner", Host: opts.NodeName})
	podController, err := node.NewPodController(node.PodControllerConfig{
		PodClient:         client.CoreV1(),
		PodInformer:       podInformers.Core().V1().Pods(),
		EventRecorder:     recorder,
		Provider:          provider,
		ConfigMapInformer: otherInformers.Core().V1().ConfigMaps(),
		SecretInformer:    otherInformers.Core().V1().Secrets(),
		ServiceInformer:   otherInformers.Core().V1().Services(),
		PodEventFilterFunc: func(_ context.Context, pod *corev1.Pod) bool {
			return pod.Spec.NodeName == opts.NodeName
		},
	})
	if err != nil {
		return err
	}
	// Cluster DNS and kube-proxy for this node's pods: Services resolve in each pod's hosts
	// file, and their ClusterIPs route to ready pods (proxy.go).
	services := otherInformers.Core().V1().Services()
	proxy := NewProxy(services.Lister(), podInformers.Core().V1().Pods().Lister(), provider.log)
	onChange := func() {
		provider.ServicesChanged()
		proxy.Changed()
	}
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { onChange() },
		UpdateFunc: func(any, any) { onChange() },
		DeleteFunc: func(any) { onChange() },
	}
	if _, err := services.Informer().AddEventHandler(handler); err != nil {
		return err
	}
	if _, err := podInformers.Core().V1().Pods().Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { proxy.Changed() },
		UpdateFunc: func(any, any) { proxy.Changed() },
		DeleteFunc: func(any) { proxy.Changed() },
	}); err != nil {
		return err
	}
	provider.WatchServices(func() []*corev1.Service {
		list, _ := services.Lister().List(labels.Everything())
		return list
	})
	podInformers.Start(ctx.Done())
	otherInformers.Start(ctx.Done())
	go proxy.Run(ctx)
	errs := make(chan error, 2)
	go func() { errs <- nodeController.Run(ctx) }()
	go func() { errs <- podController.Run(ctx, 4) }()
	for _, ch := range []<-chan struct{}{nodeController.Ready(), podController.Ready()} {
		select {
		case <-ch:
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if ready != nil {
		ready()
	}
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
		provider.StopAll()
		return nil
	}
}
