package local

import (
	"context"
	"maps"
	"sort"

	"github.com/netipam/netipam/store"
	"github.com/netipam/netipam/topo"
)

// KubeImportRequest registers the nodes of `kubectl get nodes -o json`
// (`netipam node import --from-kubernetes`, POST /v1/nodes/kubernetes),
// each on the TOR its TORLabel names.
type KubeImportRequest struct {
	// Source names the list in errors (the file's name).
	Source   string          `json:"source"`
	Items    []topo.KubeNode `json:"items"`
	TORLabel string          `json:"tor_label"`
	// Prune also removes the registered nodes missing from the list that
	// hold no address.
	Prune  bool `json:"prune,omitempty"`
	DryRun bool `json:"dry_run,omitempty"`
}

// Limits of a KubeImportRequest's strings, which messages echo: a path
// (PATH_MAX) and a Kubernetes label key (a 253-byte prefix, '/', a
// 63-byte name).
const (
	maxKubeSource   = 4096
	maxKubeTORLabel = 317
)

// Validate checks the strings every caller (the CLI, the API) sends
// before any of them reaches a message or the store.
func (r KubeImportRequest) Validate() error {
	if err := topo.CheckPrintable("source", r.Source, maxKubeSource); err != nil {
		return err
	}
	return topo.CheckPrintable("--tor-label", r.TORLabel, maxKubeTORLabel)
}

// KubeImportCounts are the nodes an import registered, updated, left,
// could not place, removed and kept: what `node import --from-kubernetes
// -o json` prints.
type KubeImportCounts struct {
	Registered []string `json:"registered"`
	Updated    []string `json:"updated"`
	Unchanged  []string `json:"unchanged"`
	Unlabelled []string `json:"unlabelled"`
	Removed    []string `json:"removed"`
	Kept       []string `json:"kept"`
	DryRun     bool     `json:"dry_run"`
}

// KubeImportReport is what an import did, or would do (DryRun). The first
// fields are what `node import --from-kubernetes -o json` prints; Changes
// and Holding say it for people.
type KubeImportReport struct {
	KubeImportCounts
	// Changes are the nodes registered or updated, in the list's order.
	Changes []KubeChange `json:"changes"`
	// Holding are the kept nodes with the addresses they hold.
	Holding []KubeHolding `json:"holding"`
}

// KubeChange is one node an import registers (New) or updates.
type KubeChange struct {
	ID  string `json:"id"`
	TOR string `json:"tor"`
	New bool   `json:"new"`
}

// KubeHolding is a node missing from the list that prune keeps: it holds
// addresses.
type KubeHolding struct {
	ID        string `json:"id"`
	Allocated int64  `json:"allocated"`
}

// KubeImport checks the list against the store's TORs (a label naming an
// unknown TOR fails the whole import), refuses a label no node carries and
// a prune of an empty list, and syncs the nodes that differ in one atomic
// batch (store.SyncNodes): the policy of `node import --from-kubernetes`
// whichever way it is called. The report is returned with a failed sync's
// error too, so that its caller can say what was found.
func KubeImport(ctx context.Context, st *store.Store, req KubeImportRequest) (KubeImportReport, error) {
	if err := req.Validate(); err != nil {
		return KubeImportReport{}, err
	}
	if req.TORLabel == "" {
		return KubeImportReport{}, topo.Errorf(topo.ErrInvalid, "--tor-label: give the node label that names each node's TOR, such as topology.example.com/tor")
	}
	tors, err := st.TORIDs(ctx)
	if err != nil {
		return KubeImportReport{}, err
	}
	known := func(id string) (bool, error) { return tors[id], nil }
	imp, err := topo.KubeToNodes(req.Source, req.Items, req.TORLabel, known)
	if err != nil {
		return KubeImportReport{}, err
	}
	if len(req.Items) == 0 && req.Prune {
		return KubeImportReport{}, topo.Errorf(topo.ErrInvalid, "%s lists no node: refusing to prune every registered node; check kubectl's context, or drop --prune", req.Source)
	}
	if len(imp.Nodes) == 0 && len(req.Items) > 0 {
		return KubeImportReport{}, topo.Errorf(topo.ErrInvalid, "--tor-label %s: none of the %d nodes of %s carries it: check the label with `kubectl get nodes --show-labels`",
			topo.Quote(req.TORLabel), len(req.Items), req.Source)
	}
	stored, err := st.Nodes(ctx, store.NodeFilter{})
	if err != nil {
		return KubeImportReport{}, err
	}
	sync, rep := planKubeImport(imp, stored, req.Prune, len(req.Items))
	rep.DryRun = req.DryRun
	if !req.DryRun {
		if err := st.SyncNodes(ctx, sync); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// planKubeImport compares the listed nodes with the stored ones: only what
// differs goes into the batch (the batch's statements are conditional
// anyway, so a plan made stale by another writer changes nothing wrong).
func planKubeImport(imp topo.KubeImport, stored []store.NodeRow, prune bool, listed int) (store.NodeSync, KubeImportReport) {
	sync := store.NodeSync{Detail: "kubernetes"}
	rep := KubeImportReport{KubeImportCounts: KubeImportCounts{Registered: []string{}, Updated: []string{},
		Unchanged: []string{}, Unlabelled: orEmpty(imp.Unlabelled), Removed: []string{}, Kept: []string{}},
		Changes: []KubeChange{}, Holding: []KubeHolding{}}
	byID := make(map[string]store.NodeRow, len(stored))
	for _, r := range stored {
		byID[r.ID] = r
	}
	inList := make(map[string]bool, listed)
	for _, n := range imp.Unlabelled {
		inList[n] = true
	}
	for _, n := range imp.Nodes {
		inList[n.ID] = true
		r, ok := byID[n.ID]
		switch {
		case !ok:
			rep.Registered = append(rep.Registered, n.ID)
		case r.Name == n.Name && r.TOR == n.TOR && maps.Equal(orEmptyLabels(r.Labels), n.Labels):
			rep.Unchanged = append(rep.Unchanged, n.ID)
			continue
		default:
			rep.Updated = append(rep.Updated, n.ID)
		}
		sync.Upsert = append(sync.Upsert, n)
		rep.Changes = append(rep.Changes, KubeChange{ID: n.ID, TOR: n.TOR, New: !ok})
	}
	if prune {
		for _, r := range stored {
			switch {
			case inList[r.ID]:
			case r.Allocated > 0:
				rep.Kept = append(rep.Kept, r.ID)
				rep.Holding = append(rep.Holding, KubeHolding{ID: r.ID, Allocated: r.Allocated})
			default:
				rep.Removed = append(rep.Removed, r.ID)
				sync.Remove = append(sync.Remove, r.ID)
			}
		}
	}
	sort.Strings(rep.Registered)
	sort.Strings(rep.Updated)
	sort.Strings(rep.Unchanged)
	return sync, rep
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// orEmptyLabels is a node's labels, never nil, so that a node stored
// without labels equals one listed without them.
func orEmptyLabels(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
