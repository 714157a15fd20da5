package main

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Image says how a container of a matching image runs on this machine: images are never
// pulled. The mapping lives in one file, images.yaml.
type Image struct {
	// Match is a path.Match glob against the container's image reference.
	Match string `json:"match"`
	// Path is the PATH the container's processes get (the image's binaries, here the machine's).
	Path string `json:"path"`
	// Dirs maps an absolute path inside the image to a local directory (relative paths are
	// relative to the mapping file's directory).
	Dirs map[string]string `json:"dirs,omitempty"`
	// Command stands in for the image's entrypoint and cmd when the container gives no command.
	Command []string `json:"command,omitempty"`
	// WorkingDir is the image's working directory (itself rewritten like any path).
	WorkingDir string `json:"workingDir,omitempty"`
	// Description says what stands in for the image.
	Description string `json:"description,omitempty"`
}

// Images is the parsed mapping file.
type Images struct {
	Images []Image `json:"images"`
}

// LoadImages reads the mapping and makes each Dirs target absolute.
func LoadImages(file string) (*Images, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var images Images
	if err := yaml.UnmarshalStrict(data, &images); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	base, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return nil, err
	}
	for i := range images.Images {
		image := &images.Images[i]
		if _, err := path.Match(image.Match, ""); err != nil {
			return nil, fmt.Errorf("%s: image %q: %w", file, image.Match, err)
		}
		for inside, local := range image.Dirs {
			if !path.IsAbs(inside) {
				return nil, fmt.Errorf("%s: image %q: %q is not an absolute path", file, image.Match, inside)
			}
			if !filepath.IsAbs(local) {
				image.Dirs[inside] = filepath.Join(base, local)
			}
		}
	}
	return &images, nil
}

// Lookup returns the first entry whose pattern matches the image.
func (m *Images) Lookup(image string) (*Image, bool) {
	for i := range m.Images {
		if ok, _ := path.Match(m.Images[i].Match, image); ok {
			return &m.Images[i], true
		}
	}
	return nil, false
}

// Rewriter maps absolute paths inside a container (mount paths, image directories, the
// termination message path) to local directories.
type Rewriter struct {
	prefixes []string
	targets  map[string]string
}

// NewRewriter builds one from inside-path -> local-path pairs.
func NewRewriter(mapping map[string]string) *Rewriter {
	r := &Rewriter{targets: map[string]string{}}
	for inside, local := range mapping {
		inside = path.Clean(inside)
		if inside == "/" {
			continue // a mount at / would rewrite everything: refused by the caller
		}
		r.targets[inside] = local
		r.prefixes = append(r.prefixes, inside)
	}
	// Longest first: /app/migrations before /app.
	sort.Slice(r.prefixes, func(i, j int) bool {
		if len(r.prefixes[i]) != len(r.prefixes[j]) {
			return len(r.prefixes[i]) > len(r.prefixes[j])
		}
		return r.prefixes[i] < r.prefixes[j]
	})
	return r
}

func pathChar(c byte) bool {
	return c == '.' || c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Rewrite replaces every occurrence of a mapped path in s that stands as a path of its own:
// not preceded by a letter, digit, '.', '_' or '/' (so /x/tmp is left alone), and followed by
// the end, a '/', or any character that cannot continue a file name (so /tmpfoo is left alone).
// A '-' before it is allowed: ${TMPDIR:-/tmp} is rewritten.
func (r *Rewriter) Rewrite(s string) string {
	if len(r.prefixes) == 0 || !strings.Contains(s, "/") {
		return s
	}
	var out strings.Builder
	i := 0
	for i < len(s) {
		matched := false
		if s[i] == '/' && (i == 0 || !(pathChar(s[i-1]) && s[i-1] != '-') && s[i-1] != '/') {
			for _, p := range r.prefixes {
				if strings.HasPrefix(s[i:], p) {
					end := i + len(p)
					if end == len(s) || !pathChar(s[end]) {
						out.WriteString(r.targets[p])
						i = end
						matched = true
						break
					}
				}
			}
		}
		if !matched {
			out.WriteByte(s[i])
			i++
		}
	}
	return out.String()
}
