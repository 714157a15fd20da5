package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	corev1 "k8s.io/api/core/v1"
)

// clusterDomain is the cluster's DNS domain, kube-dns' default.
const clusterDomain = "cluster.local"

// initCommand is the first argument that makes the node binary a container's init
// (containerInit) rather than a node.
const initCommand = "container-init"

// hostsFile is the kubelet's managed /etc/hosts of a pod (pkg/kubelet/kubelet_pods.go,
// managedHostsFileContent: localhost, the IPv6 names, the pod's IP with its hostname, its
// hostAliases), followed by what cluster DNS (kube-dns/CoreDNS) would answer this pod for each
// Service with a ClusterIP: no DNS server runs here, so every name a pod's resolver could ask
// for is in the file. A pod's search path is <ns>.svc.cluster.local, svc.cluster.local,
// cluster.local, so a Service of the pod's own namespace also answers to its bare name, and
// every Service to <svc>.<ns>, <svc>.<ns>.svc and <svc>.<ns>.svc.cluster.local.
func hostsFile(pod *corev1.Pod, podIP string, services []*corev1.Service) []byte {
	var b strings.Builder
	b.WriteString("# Kubernetes-managed hosts file (pod-runner).\n")
	b.WriteString("127.0.0.1\tlocalhost\n")
	b.WriteString("::1\tlocalhost ip6-localhost ip6-loopback\n")
	b.WriteString("fe00::0\tip6-localnet\n")
	b.WriteString("fe00::0\tip6-mcastprefix\n")
	b.WriteString("fe00::1\tip6-allnodes\n")
	b.WriteString("fe00::2\tip6-allrouters\n")
	hostname := podHostname(pod)
	if pod.Spec.Subdomain != "" {
		fmt.Fprintf(&b, "%s\t%s.%s.%s.svc.%s\t%s\n", podIP, hostname, pod.Spec.Subdomain, pod.Namespace, clusterDomain, hostname)
	} else {
		fmt.Fprintf(&b, "%s\t%s\n", podIP, hostname)
	}
	if len(pod.Spec.HostAliases) > 0 {
		b.WriteString("\n# Entries added by HostAliases.\n")
		for _, alias := range pod.Spec.HostAliases {
			fmt.Fprintf(&b, "%s\t%s\n", alias.IP, strings.Join(alias.Hostnames, "\t"))
		}
	}
	sorted := make([]*corev1.Service, 0, len(services))
	for _, svc := range services {
		if hasClusterIP(svc) {
			sorted = append(sorted, svc)
		}
	}
	sort.Slice(sorted, func(i, j int) bool {
		return key(sorted[i].Namespace, sorted[i].Name) < key(sorted[j].Namespace, sorted[j].Name)
	})
	if len(sorted) > 0 {
		b.WriteString("\n# Services, as cluster DNS answers this pod (pod-runner: no DNS server runs).\n")
	}
	for _, svc := range sorted {
		names := []string{
			fmt.Sprintf("%s.%s.svc.%s", svc.Name, svc.Namespace, clusterDomain),
			fmt.Sprintf("%s.%s.svc", svc.Name, svc.Namespace),
			fmt.Sprintf("%s.%s", svc.Name, svc.Namespace),
		}
		if svc.Namespace == pod.Namespace {
			names = append(names, svc.Name)
		}
		fmt.Fprintf(&b, "%s\t%s\n", svc.Spec.ClusterIP, strings.Join(names, "\t"))
	}
	return []byte(b.String())
}

// podHostname is the kubelet's: spec.hostname, else the pod's name, cut to 63 characters.
func podHostname(pod *corev1.Pod) string {
	name := pod.Spec.Hostname
	if name == "" {
		name = pod.Name
	}
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-.")
	}
	return name
}

// hasClusterIP: a Service cluster DNS gives an A record of its own (not headless, not
// ExternalName).
func hasClusterIP(svc *corev1.Service) bool {
	return svc.Spec.Type != corev1.ServiceTypeExternalName && svc.Spec.ClusterIP != "" && svc.Spec.ClusterIP != corev1.ClusterIPNone
}

// writeInPlace replaces the file's content without replacing the file: a bind mount follows
// the inode it was made on, so a rename would leave running containers with the old content.
// A reader may see the file empty for the instant between the truncation and the write.
func writeInPlace(file string, content []byte) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// containerInit runs as the first process of a container, in the mount namespace of its own
// that starting it made (SysProcAttr.Unshareflags CLONE_NEWNS), as runc's init: it keeps its
// mounts from propagating to the host, puts the pod's hosts file over /etc/hosts, then becomes
// the container's command (same pid, process group, environment and directory).
// args: hosts file, executable, argv...
func containerInit(args []string) {
	if len(args) < 3 {
		fmt.Fprintf(os.Stderr, "pod-runner %s: want <hosts file> <executable> <argv...>; it is started by the node, not by hand\n", initCommand)
		os.Exit(127)
	}
	hosts, executable, argv := args[0], args[1], args[2:]
	if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		fmt.Fprintf(os.Stderr, "pod-runner: making / private in the container's mount namespace: %v\n", err)
		os.Exit(127)
	}
	if hosts != "" {
		if err := syscall.Mount(hosts, "/etc/hosts", "", syscall.MS_BIND, ""); err != nil {
			fmt.Fprintf(os.Stderr, "pod-runner: bind-mounting the pod's hosts file %s over /etc/hosts: %v\n", hosts, err)
			os.Exit(127)
		}
	}
	err := syscall.Exec(executable, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "pod-runner: exec %s: %v\n", executable, err)
	os.Exit(127)
}

// hostsPath is where a pod's hosts file lives.
func hostsPath(podDir string) string { return filepath.Join(podDir, "hosts") }
