#!/usr/bin/env bash
# tree-test.sh - what `make audit-tree` runs: the audit (Coccinelle engine)
# on whole pristine Debian trees, against ground truths read from the tree.
#   7.3/ground-truth   every row of Debian 7.3.4 (expected-7.3.4.tsv), row
#                      for row: a missing, extra or changed row fails
#   7.3/ppc-kvm-dir    DIR=arch/powerpc/kvm: audit.sh exits 1 naming
#                      kvmppc_pin_guest_page() and kvm_vcpu_ioctl_config_tlb()
#   6.12/ground-truth  every row of Debian 6.12.118 (expected-6.12.118.tsv),
#                      row for row, the same way
#   6.12/kvm-*         KVM in that run: fault path dropped, nested VMX maps held
# A tree that is not unpacked in the cache or a missing spatch is a SKIP,
# never a pass; nothing is fetched.  Ends with "N passed, N failed, N skipped".
set -u
. "$(dirname "$0")/../../scripts/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
audit=$here/pinkit-audit
work=$(mktemp -d "${TMPDIR:-/tmp}/pinkit-audit-tree.XXXXXX")
trap 'rm -rf "$work"' EXIT
pass=0 fail=0 skip=0 n=0

. "$here/tap.sh"

# source VER - the unpacked pristine source of VER in the cache (`make
# audit KVER=VER` or a kernel build unpacks it); empty when it is not there:
# this stage fetches nothing, its cases are then skipped.
source_of()
{
	local s=$PINKIT_CACHE/src/linux-source-$1
	[ -f "$s/.pinkit-unpacked" ] && echo "$s"
	return 0
}

src73=$(source_of 7.3)
src612=$(source_of 6.12)
t73=(ground-truth ppc-kvm-dir)
t612=(ground-truth kvm-fault-path-dropped kvm-nested-vmx-map-held)
if ! command -v spatch > /dev/null; then
	for c in "${t73[@]}"; do skp "7.3/$c" "spatch not installed"; done
	for c in "${t612[@]}"; do skp "6.12/$c" "spatch not installed"; done
	echo "$pass passed, $fail failed, $skip skipped"
	exit 0
fi

# ground_truth VER SRC EXPECTED NAME - audit the whole tree SRC into
# $work/NAME.tsv and compare it with EXPECTED row for row: the case
# VER/ground-truth passes when every row matches and the audit exits 1 (the
# tree keeps FOLL_GET references).
ground_truth()
{
	local ver=$1 src=$2 expected=$3 name=$4 t0=$SECONDS rc crc

	"$audit" --ksrc "$src" --engine coccinelle --format tsv \
		> "$work/$name.tsv" 2> "$work/$name.err"
	rc=$?
	echo "# $ver tree audited in $((SECONDS - t0)) s"
	"$here/tsv-compare" "$here/$expected" "$work/$name.tsv" \
		> "$work/cmp-$name.out" 2>&1
	crc=$?
	if [ $crc = 0 ] && [ $rc = 1 ]; then
		ok "$ver/ground-truth ($(tail -n1 "$work/cmp-$name.out"))"
	else
		nok "$ver/ground-truth" "pinkit-audit exit status $rc (expected 1)," \
			"tsv-compare exit status $crc (expected 0):" \
			"$(cat "$work/cmp-$name.out")" "$(tail -n 25 "$work/$name.err")"
	fi
}

# --- 7.3: the ground truth, row for row ------------------------------------
if [ -z "$src73" ]; then
	for c in "${t73[@]}"; do
		skp "7.3/$c" "no unpacked linux-source-7.3 in $PINKIT_CACHE/src (make audit KVER=7.3 unpacks it)"
	done
else
	ground_truth 7.3 "$src73" expected-7.3.4.tsv t73

	DIR=$src73/arch/powerpc/kvm OUT=$work/out "$here/audit.sh" \
		> "$work/ppc.out" 2>&1
	rc=$?
	why=
	[ $rc = 1 ] || why="audit.sh exited $rc, expected 1"
	for w in 'kvmppc_pin_guest_page()' 'book3s_64_mmu_hv.c' \
		 'kvm_vcpu_ioctl_config_tlb()' 'e500_mmu.c'; do
		sed -n '/^result:/,$p' "$work/ppc.out" | grep -qF "$w" ||
			why="${why:+$why; }the result does not name $w"
	done
	if [ -z "$why" ]; then
		ok "7.3/ppc-kvm-dir"
	else
		nok "7.3/ppc-kvm-dir" "$why" "$(sed -n '/^summary:/,$p' "$work/ppc.out")"
	fi
fi

# --- 6.12: the ground truth, row for row; KVM ------------------------------
if [ -z "$src612" ]; then
	for c in "${t612[@]}"; do
		skp "6.12/$c" "no unpacked linux-source-6.12 in $PINKIT_CACHE/src (make audit KVER=6.12 unpacks it)"
	done
else
	ground_truth 6.12 "$src612" expected-6.12.118.tsv t612

	# the KVM rows of the same run
	grep '^virt/kvm	' "$work/t612.tsv" > "$work/t612-kvm.tsv"
	why=
	for want in 'arch/x86/kvm/mmu/mmu.c:[0-9]*	dropped-foll-get	dropped' \
		    'virt/kvm/pfncache.c:[0-9]*	dropped-foll-get	dropped'; do
		grep -q "$want" "$work/t612-kvm.tsv" || why="${why:+$why; }no row /$want/"
	done
	if grep -q 'arch/x86/kvm/mmu/.*	held-foll-get' "$work/t612-kvm.tsv"; then
		why="${why:+$why; }held-foll-get rows in arch/x86/kvm/mmu/"
	fi
	if [ -z "$why" ]; then
		ok "6.12/kvm-fault-path-dropped"
	else
		nok "6.12/kvm-fault-path-dropped" "$why" "$(cat "$work/t612-kvm.tsv")"
	fi
	if [ $rc = 1 ] && grep -q 'arch/x86/kvm/vmx/nested.c:[0-9]*	held-foll-get	held' \
			"$work/t612-kvm.tsv"; then
		ok "6.12/kvm-nested-vmx-map-held"
	else
		nok "6.12/kvm-nested-vmx-map-held" "exit status $rc (expected 1)," \
			"or no held-foll-get row in arch/x86/kvm/vmx/nested.c:" \
			"$(cat "$work/t612-kvm.tsv")"
	fi
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
