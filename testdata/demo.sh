#!/usr/bin/env bash
# The 30-second tour: a fresh embedded SQLite store, the demo topology and
# nodes, a few allocations, the usage report. Run by `make demo`.
set -euo pipefail
netipam=${1:?usage: demo.sh path/to/netipam}
dir=$(mktemp -d "${TMPDIR:-/tmp}/netipam-demo.XXXXXX")
export NETIPAM_STORE="sqlite://$dir/netipam.db"
here=$(dirname "$0")

step() {
	printf '\n$ netipam %s\n' "$*"
	"$netipam" "$@"
}

echo "store: $NETIPAM_STORE (a fresh SQLite file)"
step topo import "$here/topology.yaml"
step topo import "$here/topology.yaml"
step node import "$here/nodes.yaml"
step node register --id node-09 --tor tor-4 --name k8s-node-09 --label rack=R12
step alloc --node node-01 --purpose storage
step alloc --node node-01 --purpose default --container c1 --ifname eth0 --pod web/web-0
step alloc --node node-01 --purpose default --container c1 --ifname eth0 --pod web/web-0 -o json
step alloc --node node-03 --purpose default,storage --family 4
step alloc --node node-05 --purpose management --ip 10.244.20.10
step alloc --node node-09 --count 5 --family 4
step release --container c1
step subnet add --tor tor-4 --cidr 10.244.26.0/24 --purpose storage
step node list
step subnet list --tor tor-1
step usage --level tor
step topo show
printf '\n$ netipam alloc --node node-99   # an unregistered node: a clear error and exit 3\n'
"$netipam" alloc --node node-99 || echo "(exit status $?)"
echo
echo "the store is kept at $dir/netipam.db; try: NETIPAM_STORE=$NETIPAM_STORE $netipam topo show"
