package cmd

import (
	"net/netip"

	"github.com/spf13/cobra"

	"github.com/netipam/netipam/alloc"
	"github.com/netipam/netipam/ipam/local"
	"github.com/netipam/netipam/topo"
)

func newSubnetCmd(a *app) *cobra.Command {
	c := &cobra.Command{Use: "subnet", Short: "Add and list TOR subnets"}
	c.AddCommand(newSubnetAddCmd(a), newSubnetListCmd(a), newSubnetExpandCmd(a), newSubnetReclaimCmd(a))
	return c
}

type subnetAddOptions struct {
	tor, cidr, purpose, gateway string
	exclude                     []string
}

func newSubnetAddCmd(a *app) *cobra.Command {
	var o subnetAddOptions
	c := &cobra.Command{
		Use:     "add --tor TOR --cidr CIDR [--purpose P]",
		Short:   "Give a TOR one more subnet",
		Example: "  netipam subnet add --tor tor-1 --cidr 10.244.5.0/24 --purpose storage",
		Args:    cobra.NoArgs,
		RunE:    func(c *cobra.Command, _ []string) error { return runSubnetAdd(c, a, o) },
	}
	f := c.Flags()
	f.StringVar(&o.tor, "tor", "", "TOR ID (required)")
	f.StringVar(&o.cidr, "cidr", "", "subnet prefix, without host bits (required)")
	f.StringVar(&o.purpose, "purpose", topo.PurposeDefault, "purpose: default, storage, management or custom")
	f.StringVar(&o.gateway, "gateway", "", "gateway address (default: the first usable address)")
	f.StringSliceVar(&o.exclude, "exclude", nil, "addresses or prefixes never handed out")
	c.MarkFlagRequired("tor")
	c.MarkFlagRequired("cidr")
	return c
}

func runSubnetAdd(c *cobra.Command, a *app, o subnetAddOptions) error {
	if err := topo.CheckID("--tor", o.tor); err != nil {
		return usagef("%w", err)
	}
	sn, err := o.subnet()
	if err != nil {
		return err
	}
	st, err := a.openCreate(c.Context())
	if err != nil {
		return err
	}
	if err := local.AddSubnet(c.Context(), st, o.tor, sn, "cli"); err != nil {
		return err
	}
	capacity, _ := alloc.Capacity(sn)
	a.say("added %s (%s, %s addresses, gateway %s) to %s", sn.CIDR, sn.Purpose, a.count(capacity), sn.Gateway, o.tor)
	if a.json() {
		return a.printJSON(subnetToJSON(topo.SubnetRow{Subnet: sn, TOR: o.tor, Source: "cli"}))
	}
	return nil
}

func (o subnetAddOptions) subnet() (topo.Subnet, error) {
	p, err := netip.ParsePrefix(o.cidr)
	if err != nil {
		return topo.Subnet{}, usagef("--cidr %s: not a prefix (like 10.244.5.0/24)", topo.Quote(o.cidr))
	}
	sn := topo.Subnet{CIDR: p, Purpose: o.purpose, Gateway: topo.DefaultGateway(p.Masked())}
	if o.gateway != "" {
		if sn.Gateway, err = netip.ParseAddr(o.gateway); err != nil {
			return sn, usagef("--gateway %s: not an IP address", topo.Quote(o.gateway))
		}
	}
	for _, x := range o.exclude {
		xp, err := netip.ParsePrefix(x)
		if err != nil {
			xa, aerr := netip.ParseAddr(x)
			if aerr != nil {
				return sn, usagef("--exclude %s: not an address or prefix", topo.Quote(x))
			}
			xp = netip.PrefixFrom(xa, xa.BitLen())
		}
		sn.Exclude = append(sn.Exclude, xp)
	}
	if err := topo.ValidateSubnet("--cidr", sn); err != nil {
		return sn, usagef("%w", err)
	}
	return sn, nil
}

type subnetJSON struct {
	CIDR     string   `json:"cidr"`
	Family   int      `json:"family"`
	Purpose  string   `json:"purpose"`
	Gateway  string   `json:"gateway,omitempty"`
	Exclude  []string `json:"exclude,omitempty"`
	TOR      string   `json:"tor"`
	Level    string   `json:"level,omitempty"` // pod or zone for their own subnets
	Pod      string   `json:"pod,omitempty"`
	Zone     string   `json:"zone,omitempty"`
	Source   string   `json:"source"`
	Used     uint64   `json:"used"`
	Capacity uint64   `json:"capacity"`
}

func subnetToJSON(r topo.SubnetRow) subnetJSON {
	j := subnetJSON{CIDR: r.CIDR.String(), Family: int(topo.FamilyOfPrefix(r.CIDR)), Purpose: r.Purpose,
		TOR: r.TOR, Pod: r.Pod, Zone: r.Zone, Source: r.Source, Used: uint64(r.Used)}
	if r.Level.Rank() > 0 {
		j.Level = string(r.Level)
	}
	if r.Gateway.IsValid() {
		j.Gateway = r.Gateway.String()
	}
	for _, x := range r.Exclude {
		j.Exclude = append(j.Exclude, x.String())
	}
	j.Capacity, _ = alloc.Capacity(r.Subnet)
	return j
}

func newSubnetListCmd(a *app) *cobra.Command {
	var tor, purpose string
	c := &cobra.Command{
		Use:   "list",
		Short: "List subnets with their usage",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			st, err := a.openRead(c.Context())
			if err != nil {
				return err
			}
			var f topo.SubnetFilter
			if tor != "" {
				f.TOR = &tor
			}
			if purpose != "" {
				f.Purpose = &purpose
			}
			rows, err := st.Subnets(c.Context(), f)
			if err != nil {
				return err
			}
			js := make([]subnetJSON, len(rows))
			table := make([][]string, len(rows))
			for i, r := range rows {
				j := subnetToJSON(r)
				js[i] = j
				table[i] = []string{j.CIDR, j.Purpose, j.Gateway, torColumn(j), j.Pod, j.Zone,
					a.count(j.Used), a.count(j.Capacity), percent(j.Used, alloc.CountOf(j.Capacity))}
			}
			if a.json() {
				return a.printJSON(js)
			}
			return a.printTable([]string{"SUBNET", "PURPOSE", "GATEWAY", "TOR", "POD", "ZONE", "USED", "CAPACITY", "USE"}, table)
		},
	}
	c.Flags().StringVar(&tor, "tor", "", "only this TOR's subnets")
	c.Flags().StringVar(&purpose, "purpose", "", "only subnets of this purpose")
	return c
}
