package topo

// ValidateSubnet checks one subnet on its own (what `subnet add` is given):
// a valid prefix without host bits, its size, gateway, excludes and
// purpose. field names it in the errors (a flag, say).
func ValidateSubnet(field string, s Subnet) error {
	v := &validator{ids: map[string]string{}}
	v.subnet(field, "subnet", s)
	return v.errs.err()
}
