package cmd

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/lipgloss/tree"
	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// The JSON form of the tree.
type (
	zoneJSON struct {
		ID    string    `json:"id"`
		Name  string    `json:"name,omitempty"`
		CIDRs []string  `json:"cidrs"`
		Pods  []podJSON `json:"pods"`
		// Subnets are the zone's own pool.
		Subnets []subnetJSON `json:"subnets,omitempty"`
	}
	podJSON struct {
		ID    string    `json:"id"`
		Name  string    `json:"name,omitempty"`
		CIDRs []string  `json:"cidrs"`
		TORs  []torJSON `json:"tors"`
		// Subnets are the pod's own pool.
		Subnets []subnetJSON `json:"subnets,omitempty"`
	}
	torJSON struct {
		ID       string       `json:"id"`
		Name     string       `json:"name,omitempty"`
		Location string       `json:"location,omitempty"`
		Nodes    int          `json:"nodes"`
		Subnets  []subnetJSON `json:"subnets"`
	}
)

var (
	zoneStyle = lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("12"))
	torStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("10"))
	dimStyle  = lipgloss.NewStyle().Foreground(lipgloss.Color("8"))
)

func newTopoShowCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the topology tree with usage per TOR and subnet",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			t, err := st.LoadTopology(c.Context())
			if err != nil {
				return err
			}
			subnets, err := st.Subnets(c.Context(), topo.SubnetFilter{})
			if err != nil {
				return err
			}
			nodes, err := st.Nodes(c.Context(), store.NodeFilter{})
			if err != nil {
				return err
			}
			zs := showTree(t, subnets, nodes)
			if a.json() {
				return a.printJSON(zs)
			}
			_, err = fmt.Fprintln(a.io.Out, a.renderTree(zs))
			return err
		},
	}
}

func showTree(t *topo.Topology, subnets []topo.SubnetRow, nodes []store.NodeRow) []zoneJSON {
	bySubnet := map[netip.Prefix]topo.SubnetRow{}
	for _, r := range subnets {
		bySubnet[r.CIDR] = r
	}
	nodesOf := map[string]int{}
	for _, n := range nodes {
		nodesOf[n.TOR]++
	}
	zs := []zoneJSON{}
	for _, z := range t.Zones {
		zj := zoneJSON{ID: z.ID, Name: z.Name, CIDRs: prefixStrings(z.CIDRs), Pods: []podJSON{}}
		for _, p := range z.Pods {
			pj := podJSON{ID: p.ID, Name: p.Name, CIDRs: prefixStrings(p.CIDRs), TORs: []torJSON{}}
			for _, r := range p.TORs {
				tj := torJSON{ID: r.ID, Name: r.Name, Location: r.Location, Nodes: nodesOf[r.ID], Subnets: []subnetJSON{}}
				for _, s := range r.Subnets {
					tj.Subnets = append(tj.Subnets, subnetToJSON(bySubnet[s.CIDR]))
				}
				pj.TORs = append(pj.TORs, tj)
			}
			pj.Subnets = poolJSON(p.Subnets, bySubnet)
			zj.Pods = append(zj.Pods, pj)
		}
		zj.Subnets = poolJSON(z.Subnets, bySubnet)
		zs = append(zs, zj)
	}
	return zs
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// renderTree draws the tree; styles only on a terminal, counts human there
// (see humanCount). Every label is escaped (see safe) before styling.
func (a *app) renderTree(zs []zoneJSON) string {
	style := func(s lipgloss.Style, v string) string {
		if a.io.TTY {
			return s.Render(v)
		}
		return v
	}
	root := tree.New()
	for _, z := range zs {
		zt := tree.Root(style(zoneStyle, "zone "+safe(z.ID)) + " " + strings.Join(z.CIDRs, ", ") + named(z.Name))
		for _, p := range z.Pods {
			pt := tree.Root("pod " + safe(p.ID) + " " + strings.Join(p.CIDRs, ", ") + named(p.Name))
			for _, r := range p.TORs {
				rt := tree.Root(style(torStyle, "tor "+safe(r.ID)) + named(r.Name) + style(dimStyle, a.torSummary(r)))
				for _, s := range r.Subnets {
					rt.Child(safe(fmt.Sprintf("%s  %s  gw %s  %s/%s (%s)", s.CIDR, s.Purpose, s.Gateway,
						a.count(s.Used), a.count(s.Capacity), percent(s.Used, alloc.CountOf(s.Capacity)))))
				}
				pt.Child(rt)
			}
			a.poolChildren(pt, p.Subnets)
			zt.Child(pt)
		}
		a.poolChildren(zt, z.Subnets)
		root.Child(zt)
	}
	return root.String()
}

func named(n string) string {
	if n == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", safe(n))
}

// torSummary gives a TOR's node count and usage per family (IPv4 and IPv6
// capacities are never added together).
func (a *app) torSummary(r torJSON) string {
	var used [7]uint64
	var capacity [7]alloc.AddrCount
	for _, s := range r.Subnets {
		used[s.Family] += s.Used
		capacity[s.Family] = capacity[s.Family].Add(s.Capacity)
	}
	out := fmt.Sprintf("  %d node(s)", r.Nodes)
	for _, f := range []int{4, 6} {
		if !capacity[f].IsZero() {
			out += fmt.Sprintf(", IPv%d %s used (%s)", f, a.count(used[f]), percent(used[f], capacity[f]))
		}
	}
	return out
}
