package server

import "context"

// warnSettings logs, loudly, every stored setting the store ignores
// because it is out of bounds or unreadable (store.Expansion): the daemon
// serves every TOR with the setting's default meanwhile, and `netipam
// check` reports it as bad-setting.
func (d *Daemon) warnSettings(ctx context.Context) {
	if d.Log == nil {
		return
	}
	ps, err := d.st.ExpansionProblems(ctx)
	if err != nil {
		d.Log.Warn("read the expansion settings", "error", err)
		return
	}
	for _, p := range ps {
		d.Log.Warn("IGNORING A STORED SETTING: its default applies until it is fixed (netipam check reports it; fix the topology file's expansion: block and run topo import)",
			"setting", p.Field, "problem", p.Message)
	}
}
