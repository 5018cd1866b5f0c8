package e2e

import (
	"context"
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// podmanEnv is a real container runtime, podman with its CNI backend, set
// up for one test in a directory of its own: its storage (vfs, no
// overlay module needed), its network configs and its CNI plugin
// directory (the reference plugins and netipam itself). Everything comes
// from Debian's packages (podman, runc, busybox-static), installed by
// .ci/run.
type podmanEnv struct {
	t    testing.TB
	dir  string
	conf string // containers.conf
	net  string // the network config directory
}

// newPodman sets up podman and imports a busybox image. Without root,
// podman, runc or a static busybox the test fails in CI and is skipped
// elsewhere, with the reason.
func newPodman(t testing.TB) *podmanEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("a real container runtime: not under -short")
	}
	if os.Geteuid() != 0 {
		missing(t, "podman with CNI networks needs root")
	}
	for _, tool := range []string{"podman", "runc", "ip"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing(t, tool+" not installed: apt-get install podman runc iproute2 busybox-static")
		}
	}
	busybox := staticBusybox(t)
	plugins := cniPluginDir(t, "bridge", "ptp", "loopback")
	p := &podmanEnv{t: t, dir: t.TempDir()}
	p.net = filepath.Join(p.dir, "net.d")
	bin := filepath.Join(p.dir, "cni")
	for _, d := range []string{p.net, bin, filepath.Join(p.dir, "rootfs", "bin")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"bridge", "ptp", "loopback"} {
		if err := os.Symlink(filepath.Join(plugins, name), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	// As a runtime finds it: a link named netipam to the one binary.
	if err := os.Symlink(binary, filepath.Join(bin, "netipam")); err != nil {
		t.Fatal(err)
	}
	// The settings podman needs here:
	//   cgroup_manager = "cgroupfs": no systemd is running to own the
	//     containers' cgroups;
	//   default_ulimits = []: podman's default raises RLIMIT_NOFILE to a
	//     value a container in this sandbox may not set (runc then fails);
	//   runtime = "runc": Debian's podman would take crun first where both
	//     are installed, and runc is the one .ci/run installs;
	//   events_logger = "file": no journald;
	//   network_backend = "cni": podman 4 chooses netavark when it is
	//     installed, and netavark does not run IPAM plugins.
	p.conf = filepath.Join(p.dir, "containers.conf")
	writeFile(t, p.dir, "containers.conf", fmt.Sprintf(`[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
[network]
network_backend = "cni"
cni_plugin_dirs = [%q]
network_config_dir = %q
`, bin, p.net))
	// The image: a static busybox and the applets the test uses.
	root := filepath.Join(p.dir, "rootfs")
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "sleep", "ip", "ping"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	tar := filepath.Join(p.dir, "rootfs.tar")
	mustSh(t, "tar", "-C", root, "-cf", tar, ".")
	p.must("import", tar, "localhost/netipam-busybox")
	t.Cleanup(p.cleanup)
	return p
}

// staticBusybox finds busybox-static's binary: a dynamically linked
// busybox (Debian's busybox package) would not start in an image without
// a C library.
func staticBusybox(t testing.TB) string {
	t.Helper()
	for _, path := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		f, err := elf.Open(path)
		if err != nil {
			continue
		}
		static := true
		for _, prog := range f.Progs {
			static = static && prog.Type != elf.PT_INTERP
		}
		f.Close()
		if static {
			return path
		}
	}
	missing(t, "no static busybox for the test image: apt-get install busybox-static")
	return ""
}

// podman runs podman on this test's storage and settings, bounded in time.
func (p *podmanEnv) podman(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--root", filepath.Join(p.dir, "root"), "--runroot", filepath.Join(p.dir, "run"),
		"--storage-driver", "vfs"}
	cmd := exec.CommandContext(ctx, "podman", append(base, args...)...)
	cmd.Env = append(cniEnviron(), "CONTAINERS_CONF="+p.conf)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (p *podmanEnv) must(args ...string) string {
	p.t.Helper()
	out, err := p.podman(args...)
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// network writes a CNI network config of one plugin whose IPAM is netipam
// (ipam: the ipam object's other keys) and returns its name. Its bridge,
// if any, is removed when the test ends.
func (p *podmanEnv) network(plugin, ipam string) string {
	p.t.Helper()
	var b [3]byte
	rand.Read(b[:])
	name := "nipm" + hex.EncodeToString(b[:]) // also the bridge's name: at most 15 bytes
	extra := ""
	if plugin == "bridge" {
		extra = fmt.Sprintf(`"bridge": %q, "isGateway": true, "ipMasq": false,`, name)
		p.t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	}
	writeFile(p.t, p.net, name+".conflist", fmt.Sprintf(`{"cniVersion": "1.0.0", "name": %q,
  "plugins": [{"type": %q, %s "ipam": {"type": "netipam", %s}}]}`, name, plugin, extra, ipam))
	return name
}

// run starts a detached container on a network and returns its ID.
func (p *podmanEnv) run(network, name string) (string, error) {
	return p.podman("run", "-d", "--network", network, "--name", name, "localhost/netipam-busybox", "sleep", "600")
}

// address gives a running container's IPv4 address on its network.
func (p *podmanEnv) address(name string) string {
	p.t.Helper()
	return p.must("inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name)
}

// cleanup removes every container of the test (their DEL runs) and the
// storage.
func (p *podmanEnv) cleanup() {
	if out, err := p.podman("rm", "-f", "-a", "-t", "0"); err != nil {
		p.t.Logf("podman rm: %v\n%s", err, out)
	}
	if out, err := p.podman("system", "reset", "-f"); err != nil {
		p.t.Logf("podman system reset: %v\n%s", err, out)
	}
}
