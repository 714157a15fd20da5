package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// prepareVolumes materialises the pod's volumes under dir/volumes/<name>: an emptyDir is an
// empty directory every container of the pod shares; a ConfigMap or Secret volume is its keys
// (or its items) written as files with the volume's modes. It returns name -> directory.
func prepareVolumes(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, dir string) (map[string]string, error) {
	dirs := map[string]string{}
	for _, volume := range pod.Spec.Volumes {
		target := filepath.Join(dir, "volumes", volume.Name)
		dirs[volume.Name] = target
		switch {
		case volume.EmptyDir != nil:
			if err := os.MkdirAll(target, 0o777); err != nil {
				return nil, err
			}
		case volume.ConfigMap != nil:
			source := volume.ConfigMap
			files := map[string][]byte{}
			cm, err := client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, source.Name, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err) && source.Optional != nil && *source.Optional:
			case err != nil:
				return nil, fmt.Errorf("volume %q: configmap %q: %w", volume.Name, source.Name, err)
			default:
				for key, value := range cm.Data {
					files[key] = []byte(value)
				}
				for key, value := range cm.BinaryData {
					files[key] = value
				}
			}
			if err := writeKeys(target, files, source.Items, source.DefaultMode, source.Optional, "configmap "+source.Name); err != nil {
				return nil, fmt.Errorf("volume %q: %w", volume.Name, err)
			}
		case volume.Secret != nil:
			source := volume.Secret
			files := map[string][]byte{}
			secret, err := client.CoreV1().Secrets(pod.Namespace).Get(ctx, source.SecretName, metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err) && source.Optional != nil && *source.Optional:
			case err != nil:
				return nil, fmt.Errorf("volume %q: secret %q: %w", volume.Name, source.SecretName, err)
			default:
				for key, value := range secret.Data {
					files[key] = value
				}
				for key, value := range secret.StringData {
					files[key] = []byte(value)
				}
			}
			if err := writeKeys(target, files, source.Items, source.DefaultMode, source.Optional, "secret "+source.SecretName); err != nil {
				return nil, fmt.Errorf("volume %q: %w", volume.Name, err)
			}
		case volume.Projected != nil:
			if err := writeProjected(ctx, client, pod, volume.Projected, target); err != nil {
				return nil, fmt.Errorf("volume %q: %w", volume.Name, err)
			}
		default:
			return nil, fmt.Errorf("volume %q: only emptyDir, configMap, secret and projected volumes run here", volume.Name)
		}
	}
	return dirs, nil
}

// writeKeys writes every key (or only the items, at their paths) with the item's mode, else the
// default mode, else 0644, as the kubelet's atomic writer does (without its symlink swap).
func writeKeys(target string, files map[string][]byte, items []corev1.KeyToPath, defaultMode *int32, optional *bool, what string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if defaultMode != nil {
		mode = os.FileMode(*defaultMode) & os.ModePerm
	}
	write := func(name string, data []byte, fileMode os.FileMode) error {
		clean := filepath.Clean(name)
		if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			return fmt.Errorf("%s: path %q leaves the volume", what, name)
		}
		file := filepath.Join(target, clean)
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		_ = os.Remove(file) // a restart rewrites read-only files
		if err := os.WriteFile(file, data, fileMode); err != nil {
			return err
		}
		return os.Chmod(file, fileMode) // WriteFile's mode is filtered by the umask
	}
	if len(items) == 0 {
		for key, data := range files {
			if err := write(key, data, mode); err != nil {
				return err
			}
		}
		return nil
	}
	for _, item := range items {
		data, ok := files[item.Key]
		if !ok {
			if optional != nil && *optional {
				continue
			}
			return fmt.Errorf("%s has no key %q", what, item.Key)
		}
		itemMode := mode
		if item.Mode != nil {
			itemMode = os.FileMode(*item.Mode) & os.ModePerm
		}
		if err := write(item.Path, data, itemMode); err != nil {
			return err
		}
	}
	return nil
}

// writeProjected writes a projected volume (the kube-api-access-* one the ServiceAccount
// admission adds): its ConfigMap and Secret sources, the downward API's metadata fields, and a
// service account token from the TokenRequest API.
func writeProjected(ctx context.Context, client kubernetes.Interface, pod *corev1.Pod, projected *corev1.ProjectedVolumeSource, target string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return err
	}
	for _, source := range projected.Sources {
		switch {
		case source.ConfigMap != nil:
			files := map[string][]byte{}
			cm, err := client.CoreV1().ConfigMaps(pod.Namespace).Get(ctx, source.ConfigMap.Name, metav1.GetOptions{})
			if err != nil && !(apierrors.IsNotFound(err) && source.ConfigMap.Optional != nil && *source.ConfigMap.Optional) {
				return fmt.Errorf("configmap %q: %w", source.ConfigMap.Name, err)
			}
			if err == nil {
				for key, value := range cm.Data {
					files[key] = []byte(value)
				}
			}
			if err := writeKeys(target, files, source.ConfigMap.Items, projected.DefaultMode, source.ConfigMap.Optional, "configmap "+source.ConfigMap.Name); err != nil {
				return err
			}
		case source.Secret != nil:
			files := map[string][]byte{}
			secret, err := client.CoreV1().Secrets(pod.Namespace).Get(ctx, source.Secret.Name, metav1.GetOptions{})
			if err != nil && !(apierrors.IsNotFound(err) && source.Secret.Optional != nil && *source.Secret.Optional) {
				return fmt.Errorf("secret %q: %w", source.Secret.Name, err)
			}
			if err == nil {
				for key, value := range secret.Data {
					files[key] = value
				}
			}
			if err := writeKeys(target, files, source.Secret.Items, projected.DefaultMode, source.Secret.Optional, "secret "+source.Secret.Name); err != nil {
				return err
			}
		case source.DownwardAPI != nil:
			files := map[string][]byte{}
			var items []corev1.KeyToPath
			for _, item := range source.DownwardAPI.Items {
				if item.FieldRef == nil {
					return fmt.Errorf("downward API %q: only fieldRef items run here", item.Path)
				}
				value, err := fieldValue(pod, item.FieldRef.FieldPath)
				if err != nil {
					return err
				}
				files[item.Path] = []byte(value)
				items = append(items, corev1.KeyToPath{Key: item.Path, Path: item.Path, Mode: item.Mode})
			}
			if err := writeKeys(target, files, items, projected.DefaultMode, nil, "downward API"); err != nil {
				return err
			}
		case source.ServiceAccountToken != nil:
			request := &authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
				Audiences:         nil,
				ExpirationSeconds: source.ServiceAccountToken.ExpirationSeconds,
				BoundObjectRef:    &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: pod.Name, UID: pod.UID},
			}}
			if source.ServiceAccountToken.Audience != "" {
				request.Spec.Audiences = []string{source.ServiceAccountToken.Audience}
			}
			account := pod.Spec.ServiceAccountName
			if account == "" {
				account = "default"
			}
			token, err := client.CoreV1().ServiceAccounts(pod.Namespace).CreateToken(ctx, account, request, metav1.CreateOptions{})
			if err != nil {
				return fmt.Errorf("service account token for %q: %w", account, err)
			}
			files := map[string][]byte{source.ServiceAccountToken.Path: []byte(token.Status.Token)}
			if err := writeKeys(target, files, nil, projected.DefaultMode, nil, "service account token"); err != nil {
				return err
			}
		default:
			return fmt.Errorf("a projected source of a kind that does not run here")
		}
	}
	return nil
}

// fieldValue is the downward API's value of a metadata field.
func fieldValue(pod *corev1.Pod, fieldPath string) (string, error) {
	switch fieldPath {
	case "metadata.name":
		return pod.Name, nil
	case "metadata.namespace":
		return pod.Namespace, nil
	case "metadata.uid":
		return string(pod.UID), nil
	case "spec.nodeName":
		return pod.Spec.NodeName, nil
	case "spec.serviceAccountName":
		return pod.Spec.ServiceAccountName, nil
	}
	return "", fmt.Errorf("downward API field %q does not run here", fieldPath)
}
