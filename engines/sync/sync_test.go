package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/argoproj/gitops-engine/pkg/sync/common"
	"github.com/argoproj/gitops-engine/pkg/utils/kube"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadManifestsReadsYAMLFilesInNameOrderAndMarksEach(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n")
	write(t, dir, "a.yml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n  annotations:\n    keep: me\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: also-first\n")
	write(t, dir, "notes.txt", "not a manifest")
	objects, err := loadManifests([]string{dir}, "shop-dev")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objects {
		names = append(names, o.GetName())
		if o.GetAnnotations()[markAnnotation] != "shop-dev" {
			t.Errorf("%s is not marked: %v", o.GetName(), o.GetAnnotations())
		}
	}
	if want := []string{"first", "also-first", "second"}; len(names) != 3 || names[0] != want[0] || names[1] != want[1] || names[2] != want[2] {
		t.Errorf("objects %v, want %v", names, want)
	}
	if objects[0].GetAnnotations()["keep"] != "me" {
		t.Error("an annotation of the manifest was lost")
	}
}

func TestLoadManifestsRefusesNothingToSync(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "empty.yaml", "# nothing\n")
	if _, err := loadManifests([]string{dir}, "x"); err == nil {
		t.Error("an empty directory was accepted")
	}
	if _, err := loadManifests([]string{filepath.Join(dir, "missing")}, "x"); err == nil {
		t.Error("a missing path was accepted")
	}
}

func TestStepsAreInTheEngineOrderWithTheManifestWave(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "m.yaml", "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: shop\n  annotations:\n    argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/sync-wave: \"-1\"\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n  namespace: shop\n")
	targets, err := loadManifests([]string{dir}, "x")
	if err != nil {
		t.Fatal(err)
	}
	results := []common.ResourceSyncResult{
		{ResourceKey: kube.GetResourceKey(targets[1]), Order: 2, SyncPhase: common.SyncPhaseSync, Status: common.ResultCodeSynced},
		{ResourceKey: kube.GetResourceKey(targets[0]), Order: 1, SyncPhase: common.SyncPhasePreSync, HookType: common.HookTypePreSync, Status: common.ResultCodeSynced, HookPhase: common.OperationSucceeded},
	}
	got := steps(results, targets)
	if got[0].Name != "migrate" || got[0].Wave != -1 || got[0].HookType != "PreSync" || got[1].Name != "shop" || got[1].Wave != 0 {
		t.Errorf("steps %+v", got)
	}
	if line := got[0].describe(); line == "" {
		t.Error("no description")
	}
}

func TestSetNamespacesFillsNamespacedObjectsOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "m.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: theirs\n  namespace: other\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n")
	targets, err := loadManifests([]string{dir}, "x")
	if err != nil {
		t.Fatal(err)
	}
	namespaced := func(gk schema.GroupKind) (bool, error) { return gk.Kind != "Namespace", nil }
	if err := setNamespaces(targets, "shop", namespaced); err != nil {
		t.Fatal(err)
	}
	if got := []string{targets[0].GetNamespace(), targets[1].GetNamespace(), targets[2].GetNamespace()}; got[0] != "shop" || got[1] != "other" || got[2] != "" {
		t.Errorf("namespaces %v", got)
	}
}

func TestTrackStampsFirstAppliedAndFirstFinished(t *testing.T) {
	when := seen{}
	at := time.Date(2026, 12, 3, 7, 0, 0, 0, time.UTC)
	job := Step{SyncPhase: "PreSync", Group: "batch", Kind: "Job", Namespace: "shop", Name: "migrate", HookPhase: "Running"}
	first := []Step{job}
	when.track(first, 1, at)
	if first[0].AppliedIn != 1 || first[0].FinishedIn != 0 || first[0].FinishedAt != "" {
		t.Errorf("after reconcile 1: %+v", first[0])
	}
	job.HookPhase = "Succeeded"
	deployment := Step{SyncPhase: "Sync", Group: "apps", Kind: "Deployment", Namespace: "shop", Name: "shop", HookPhase: "Running"}
	second := []Step{job, deployment}
	when.track(second, 3, at.Add(2*time.Second))
	if second[0].AppliedIn != 1 || second[0].FinishedIn != 3 || second[0].FinishedAt != "2026-12-03T07:00:02Z" {
		t.Errorf("the Job after reconcile 3: %+v", second[0])
	}
	if second[1].AppliedIn != 3 || second[1].FinishedIn != 0 {
		t.Errorf("the Deployment after reconcile 3: %+v", second[1])
	}
	// A later reconcile keeps the first stamps.
	third := []Step{job, deployment}
	when.track(third, 4, at.Add(3*time.Second))
	if third[0].FinishedIn != 3 || third[1].AppliedIn != 3 {
		t.Errorf("after reconcile 4: %+v", third)
	}
}
