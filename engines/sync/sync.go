package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/sync/syncwaves"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// markAnnotation tells this harness's objects from anything else in the namespace, as the
// GitOps agent's gc-mark does: only marked objects are "managed", so only they are pruned.
const markAnnotation = "migrate-first.dev/synced-by"

// loadManifests reads every object of the YAML or JSON files given, or of the files in the
// directories given (not recursively: a rendered gitops/ folder is flat), in name order, and
// marks each with the application's name.
func loadManifests(paths []string, app string) ([]*unstructured.Unstructured, error) {
	var files []string
	for _, path := range paths {
		info, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if !info.IsDir() {
			files = append(files, path)
			continue
		}
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, err
		}
		for _, entry := range entries {
			ext := strings.ToLower(filepath.Ext(entry.Name()))
			if !entry.IsDir() && (ext == ".yaml" || ext == ".yml" || ext == ".json") {
				files = append(files, filepath.Join(path, entry.Name()))
			}
		}
	}
	sort.Strings(files)
	var objects []*unstructured.Unstructured
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		items, err := kube.SplitYAML(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		objects = append(objects, items...)
	}
	if len(objects) == 0 {
		return nil, fmt.Errorf("no Kubernetes object in %s", strings.Join(paths, ", "))
	}
	for _, object := range objects {
		annotations := object.GetAnnotations()
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[markAnnotation] = app
		object.SetAnnotations(annotations)
	}
	return objects, nil
}

// setNamespaces puts each namespaced object without a namespace into the destination
// namespace, as Argo CD's controller does with an Application's manifests before it syncs them
// (the agent leaves that to kubectl, and its namespaced cache then refuses them).
func setNamespaces(targets []*unstructured.Unstructured, namespace string, isNamespaced func(schema.GroupKind) (bool, error)) error {
	for _, target := range targets {
		if target.GetNamespace() != "" {
			continue
		}
		namespaced, err := isNamespaced(target.GroupVersionKind().GroupKind())
		if err != nil {
			return fmt.Errorf("%s %s: %w", target.GetKind(), target.GetName(), err)
		}
		if namespaced {
			target.SetNamespace(namespace)
		}
	}
	return nil
}

// Step is one resource's part in the sync, as printed and written to --json.
type Step struct {
	Order     int    `json:"order"`
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	SyncPhase string `json:"syncPhase"`
	Wave      int    `json:"wave"`
	HookType  string `json:"hookType,omitempty"`
	Status    string `json:"status"`
	HookPhase string `json:"hookPhase,omitempty"`
	Message   string `json:"message,omitempty"`
	// AppliedIn is the reconcile (1, 2, ...) after which the step was first seen applied, and
	// FinishedIn the one after which its operation state was first seen Succeeded, Failed or
	// Error (0: never, e.g. a last wave of plain resources, which the engine does not wait for).
	// Within one reconcile the engine assesses the running tasks' health before it applies the
	// next wave (ge: sync_context.go Sync), so a step finished in reconcile r was seen finished
	// before anything applied in r. The times are when the harness saw it, after that reconcile.
	AppliedIn  int    `json:"appliedIn"`
	AppliedAt  string `json:"appliedAt"`
	FinishedIn int    `json:"finishedIn,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"`
}

// seen is when each step was first seen applied and finished, across the reconciles of one
// operation, keyed as the engine keys its results (phase and resource).
type seen map[string]Step

func (s Step) key() string {
	return strings.Join([]string{s.SyncPhase, s.Group, s.Kind, s.Namespace, s.Name}, "/")
}

// finished is an operation state the engine no longer re-checks.
func finished(phase string) bool {
	switch common.OperationPhase(phase) {
	case common.OperationSucceeded, common.OperationFailed, common.OperationError:
		return true
	}
	return false
}

// track stamps the steps with the reconcile (and time) each was first seen applied and
// finished in, remembering them in s for the reconciles that follow.
func (s seen) track(current []Step, reconcile int, at time.Time) {
	stamp := at.UTC().Format(time.RFC3339Nano)
	for i := range current {
		step := &current[i]
		before, ok := s[step.key()]
		if !ok {
			before.AppliedIn, before.AppliedAt = reconcile, stamp
		}
		if before.FinishedIn == 0 && finished(step.HookPhase) {
			before.FinishedIn, before.FinishedAt = reconcile, stamp
		}
		s[step.key()] = before
		step.AppliedIn, step.AppliedAt = before.AppliedIn, before.AppliedAt
		step.FinishedIn, step.FinishedAt = before.FinishedIn, before.FinishedAt
	}
}

// steps turns the engine's results into Steps in the order it applied them; the wave is read
// from the manifest (a hook's result key names the hook as it is in the manifests).
func steps(results []common.ResourceSyncResult, targets []*unstructured.Unstructured) []Step {
	waves := map[kube.ResourceKey]int{}
	for _, target := range targets {
		waves[kube.GetResourceKey(target)] = syncwaves.Wave(target)
	}
	out := make([]Step, 0, len(results))
	for _, r := range results {
		out = append(out, Step{
			Order:     r.Order,
			Group:     r.ResourceKey.Group,
			Kind:      r.ResourceKey.Kind,
			Namespace: r.ResourceKey.Namespace,
			Name:      r.ResourceKey.Name,
			SyncPhase: string(r.SyncPhase),
			Wave:      waves[r.ResourceKey],
			HookType:  string(r.HookType),
			Status:    string(r.Status),
			HookPhase: string(r.HookPhase),
			Message:   r.Message,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

// describe is a step on one line, for the progress the harness prints.
func (s Step) describe() string {
	what := fmt.Sprintf("%-9s wave %3d  %s %s", s.SyncPhase, s.Wave, s.Kind, s.Name)
	state := s.Status
	if s.HookPhase != "" {
		state = strings.TrimSpace(state + " " + s.HookPhase)
	}
	if s.Message != "" {
		state += ": " + s.Message
	}
	return fmt.Sprintf("%-60s %s", what, state)
}
