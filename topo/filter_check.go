package topo

import "fmt"

// Validate checks a filter, the one check every path makes before a
// release or a query (the CLI, the HTTP API, the CNI plugin, and the store
// itself): lists no longer than MaxAddresses and MaxAttachments, so
// that one statement holds them, and names that could be stored.
func (f AllocationFilter) Validate() error {
	if err := CheckListLen("addresses", len(f.Addresses), MaxAddresses); err != nil {
		return err
	}
	for _, a := range f.Addresses {
		if !a.IsValid() {
			return Errorf(ErrInvalid, "addresses: an empty address")
		}
	}
	if err := CheckListLen("not_owners", len(f.NotOwners), MaxAttachments); err != nil {
		return err
	}
	for _, s := range []struct {
		what string
		v    *string
	}{{"node", f.Node}, {"tor", f.TOR}, {"container", f.Container}, {"ifname", f.IfName}, {"network", f.Network}} {
		if s.v != nil {
			if err := ValidateLabel(s.what, *s.v); err != nil {
				return err
			}
		}
	}
	for i, o := range f.NotOwners {
		for _, s := range []struct{ what, v string }{{"container", o.Container}, {"ifname", o.IfName}, {"network", o.Network}} {
			if err := ValidateLabel(fmt.Sprintf("not_owners[%d].%s", i, s.what), s.v); err != nil {
				return err
			}
		}
	}
	return nil
}
