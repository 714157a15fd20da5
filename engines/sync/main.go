// Command migrate-first-sync applies a directory of manifests to a cluster the way Argo CD's
// application controller runs one sync operation, with Argo CD's own sync engine
// (github.com/argoproj/gitops-engine): PreSync, Sync and PostSync phases, sync waves with the
// controller's delay between them, hooks and their delete policies, health checks gating each
// wave, SyncFail hooks when a phase fails, and the Application's retries (each one the whole
// operation again, its hooks included). It prints each resource's state as it changes and ends
// with the operation's phase; --json writes the steps in the order the engine applied them, each
// with the reconcile (and time) it was first seen applied and finished in: what a step waited for.
//
// It is the GitOps agent of gitops-engine (agent/main.go) cut down to one operation and told
// apart from it where Argo CD's controller differs: hooks always run (the agent skips them when
// nothing changed; an Argo CD sync operation runs them every time), each reconcile builds a new
// sync context over the live objects (see syncOnce), namespaced objects without a namespace go
// to the destination namespace, and a wave waits --wave-delay before the next one (Argo CD's
// ARGOCD_SYNC_WAVE_DELAY, 2 s).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/argoproj/gitops-engine/pkg/cache"
	"github.com/argoproj/gitops-engine/pkg/sync"
	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"github.com/argoproj/gitops-engine/pkg/utils/tracing"
	"github.com/go-logr/logr"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
	"k8s.io/klog/v2/textlogger"
)

type options struct {
	kubeconfig  string
	namespace   string
	app         string
	revision    string
	prune       bool
	waveDelay   time.Duration
	timeout     time.Duration
	retryLimit  int
	retryDelay  time.Duration
	jsonOut     string
	engineLogs  bool
	manifestDir []string
}

// Outcome is what --json holds: the last attempt's steps and phase.
type Outcome struct {
	Phase    string `json:"phase"`
	Message  string `json:"message"`
	Attempts int    `json:"attempts"`
	Steps    []Step `json:"steps"`
}

func main() {
	var o options
	flag.StringVar(&o.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster (default $KUBECONFIG)")
	flag.StringVar(&o.namespace, "namespace", "", "the Application's destination namespace: objects without one go there (required)")
	flag.StringVar(&o.app, "app", "migrate-first", "the Application's name; marks the objects this harness manages")
	flag.StringVar(&o.revision, "revision", "local", "the revision reported to the engine")
	flag.BoolVar(&o.prune, "prune", false, "delete managed objects no longer in the manifests (the Application's automated.prune)")
	flag.DurationVar(&o.waveDelay, "wave-delay", 2*time.Second, "pause after each wave, as Argo CD's controller (ARGOCD_SYNC_WAVE_DELAY); the order does not depend on it, so a test may lower it")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up on an attempt after this long")
	flag.IntVar(&o.retryLimit, "retry-limit", 0, "retries of a failed operation (the Application's syncPolicy.retry.limit)")
	flag.DurationVar(&o.retryDelay, "retry-backoff", 5*time.Second, "first retry's delay, doubled each time (syncPolicy.retry.backoff)")
	flag.StringVar(&o.jsonOut, "json", "", "write the outcome as JSON to this file")
	flag.BoolVar(&o.engineLogs, "engine-logs", false, "print gitops-engine's own log too")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: migrate-first-sync --namespace NS [flags] FILE_OR_DIR...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	o.manifestDir = flag.Args()
	if o.namespace == "" || len(o.manifestDir) == 0 {
		flag.Usage()
		os.Exit(2)
	}
	outcome, err := run(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "sync: %v\n", err)
		os.Exit(2)
	}
	if o.jsonOut != "" {
		data, _ := json.MarshalIndent(outcome, "", "  ")
		if err := os.WriteFile(o.jsonOut, append(data, '\n'), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "sync: %v\n", err)
			os.Exit(2)
		}
	}
	if outcome.Phase != string(common.OperationSucceeded) {
		os.Exit(1)
	}
}

func run(o options) (Outcome, error) {
	targets, err := loadManifests(o.manifestDir, o.app)
	if err != nil {
		return Outcome{}, err
	}
	config, err := clientcmd.BuildConfigFromFlags("", o.kubeconfig)
	if err != nil {
		return Outcome{}, fmt.Errorf("kubeconfig %q: %w", o.kubeconfig, err)
	}
	// Argo CD's controller raises client-go's 5 requests a second to 50 (ARGOCD_K8S_CLIENT_QPS):
	// at the default, listing every kind for the cache alone is throttled for seconds.
	config.QPS, config.Burst = 50, 100
	log := logr.Discard()
	if o.engineLogs {
		log = textlogger.NewLogger(textlogger.NewConfig())
	} else {
		// client-go logs through klog, not the logr given to the engine: deprecation
		// warnings and the watches cancelled at exit would bury the steps.
		config.WarningHandler = rest.NoWarnings{}
		klog.SetOutput(io.Discard)
		klog.LogToStderr(false)
	}
	// Watch the destination namespace only: what an Application syncs into, and a fraction of
	// the API's kinds to list and watch.
	clusterCache := cache.NewClusterCache(config,
		cache.SetNamespaces([]string{o.namespace}),
		cache.SetLogr(log),
		cache.SetPopulateResourceInfoHandler(func(un *unstructured.Unstructured, _ bool) (any, bool) {
			return un.GetAnnotations()[markAnnotation], false
		}),
	)
	if err := clusterCache.EnsureSynced(); err != nil {
		return Outcome{}, fmt.Errorf("reading the cluster: %w", err)
	}
	defer clusterCache.Invalidate()
	if err := setNamespaces(targets, o.namespace, clusterCache.IsNamespaced); err != nil {
		return Outcome{}, err
	}

	var outcome Outcome
	delay := o.retryDelay
	for attempt := 1; ; attempt++ {
		fmt.Printf("sync: attempt %d of %d, %d object(s) into namespace %s\n", attempt, o.retryLimit+1, len(targets), o.namespace)
		outcome, err = syncOnce(o, config, clusterCache, targets, log)
		outcome.Attempts = attempt
		if err != nil {
			return outcome, err
		}
		fmt.Printf("sync: attempt %d: %s: %s\n", attempt, outcome.Phase, outcome.Message)
		if outcome.Phase == string(common.OperationSucceeded) || attempt > o.retryLimit {
			return outcome, nil
		}
		fmt.Printf("sync: retrying in %s (the whole operation, PreSync hooks included)\n", delay)
		time.Sleep(delay)
		delay *= 2
	}
}

// syncOnce is one sync operation, run as Argo CD's controller runs it: at every reconcile a new
// sync context over the live objects as the cache sees them now (hooks included, once created),
// handed the operation's state so far (WithInitialState). gitops-engine's engine.Sync keeps one
// context over the live objects read at the start, so a hook it creates is never seen to finish.
func syncOnce(o options, config *rest.Config, clusterCache cache.ClusterCache, targets []*unstructured.Unstructured, log logr.Logger) (Outcome, error) {
	deadline := time.Now().Add(o.timeout)
	startedAt := metav1.Now()
	isManaged := func(r *cache.Resource) bool {
		mark, _ := r.Info.(string)
		return mark == o.app
	}
	kubectl := &kube.KubectlCmd{Log: log, Tracer: tracing.NopTracer{}}
	var (
		phase   common.OperationPhase
		message string
		results []common.ResourceSyncResult
	)
	printed := map[string]string{}
	when := seen{}
	for reconcile := 1; ; reconcile++ {
		managed, err := clusterCache.GetManagedLiveObjs(targets, isManaged)
		if err != nil {
			return Outcome{}, fmt.Errorf("reading the managed objects: %w", err)
		}
		reconciled := sync.Reconcile(targets, managed, o.namespace, clusterCache)
		opts := []sync.SyncOpt{
			sync.WithLogr(log),
			sync.WithPrune(o.prune),
			sync.WithSyncWaveHook(func(phase common.SyncPhase, wave int, final bool) error {
				fmt.Printf("sync: %s wave %d done\n", phase, wave)
				if !final {
					time.Sleep(o.waveDelay)
				}
				return nil
			}),
		}
		if phase != "" {
			opts = append(opts, sync.WithInitialState(phase, message, results, startedAt))
		}
		syncCtx, cleanup, err := sync.NewSyncContext(o.revision, reconciled, config, config, kubectl, o.namespace,
			clusterCache.GetOpenAPISchema(), opts...)
		if err != nil {
			return Outcome{}, fmt.Errorf("starting the sync: %w", err)
		}
		timedOut := time.Now().After(deadline)
		if timedOut {
			// Argo CD's terminate: running hooks are stopped, the operation fails.
			syncCtx.Terminate()
		} else {
			syncCtx.Sync()
		}
		phase, message, results = syncCtx.GetState()
		cleanup()
		current := steps(results, targets)
		when.track(current, reconcile, time.Now())
		for _, step := range current {
			if line := step.describe(); printed[step.key()] != line {
				printed[step.key()] = line
				fmt.Printf("sync:   %s\n", line)
			}
		}
		if timedOut {
			return Outcome{Phase: string(common.OperationFailed), Message: fmt.Sprintf("timed out after %s: %s", o.timeout, message), Steps: current}, nil
		}
		if phase.Completed() {
			return Outcome{Phase: string(phase), Message: message, Steps: current}, nil
		}
		// Argo CD re-checks at the next reconcile; the cache's watch has the new state by then.
		time.Sleep(time.Second)
	}
}
