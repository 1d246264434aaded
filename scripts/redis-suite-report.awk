# Puts the direct and the through-Ferry runs side by side. Reads (tab-separated, -F'\t'):
#   units.txt    "# title" and "unit NAME" lines, in run order
#   times.tsv    SIDE UNIT MILLISECONDS RUNS
#   results.tsv  SIDE UNIT STATUS NAME DETAIL   (STATUS: ok, err, hung, block, stop; see redis-suite-parse.awk)
# Prints the table and the tests that fail only through Ferry; writes out/compare.tsv, one row per test:
#   UNIT NAME DIRECT FERRY FERRY-DETAIL DIRECT-DETAIL   (DIRECT/FERRY: ok, err, hung or notrun)
# Exits 1 when a test that passes directly does not pass through Ferry.
function secs(ms) { return ms == "" ? "-" : sprintf("%.1f", ms / 1000) }
FILENAME ~ /units\.txt$/ {
    if ($0 ~ /^#/) { title = substr($0, 3); next }
    units[++nunits] = $2; next
}
FILENAME ~ /times\.tsv$/ { ms[$1, $2] = $3; runs[$1, $2] = $4; ran[$1] = 1; next }
{
    side = $1; unit = $2; status = $3; name = $4; detail = $5
    if (status == "block") { blocks[side, unit]++; if (!((side, unit) in blockmsg)) blockmsg[side, unit] = detail; next }
    if (status == "stop") { stopped[side, unit] = name ": " detail; next }
    # A name can repeat within a unit (the same test per encoding): the n-th one is its own test.
    key = unit SUBSEP name SUBSEP (++seen[side, unit, name])
    if (!(key in order)) { order[key] = ++ntests; keys[ntests] = key; tunit[key] = unit; tname[key] = name }
    st[side, key] = status; det[side, key] = detail
}
END {
    both = ran["direct"] && ran["ferry"]
    compare = out "/compare.tsv"
    printf "" > compare
    for (i = 1; i <= ntests; i++) {
        k = keys[i]
        for (s = 0; s < 2; s++) {
            side = s ? "ferry" : "direct"
            if (!ran[side]) continue
            x = (side, k) in st ? st[side, k] : "notrun"
            if (x == "ok") pass[side, tunit[k]]++
            else if (x == "notrun") notrun[side, tunit[k]]++
            else fail[side, tunit[k]]++
            res[side, k] = x
        }
        if (both) printf "%s\t%s\t%s\t%s\t%s\t%s\n", tunit[k], tname[k], res["direct", k], res["ferry", k],
            det["ferry", k], det["direct", k] > compare
    }
    close(compare)

    print ""
    print title
    printf "%-27s | %-30s | %-30s\n", "", "directly", "through Ferry"
    printf "%-27s | %6s %6s %6s %9s | %6s %6s %6s %9s\n", "unit", "passed", "failed", "notrun", "seconds",
        "passed", "failed", "notrun", "seconds"
    for (u = 1; u <= nunits; u++) {
        unit = units[u]; line = sprintf("%-27s", unit)
        for (s = 0; s < 2; s++) {
            side = s ? "ferry" : "direct"
            if (!ran[side]) { line = line sprintf(" | %6s %6s %6s %9s", "-", "-", "-", "-"); continue }
            line = line sprintf(" | %6d %6d %6d %9s", pass[side, unit], fail[side, unit], notrun[side, unit], secs(ms[side, unit]))
            tp[side] += pass[side, unit]; tf[side] += fail[side, unit]; tn[side] += notrun[side, unit]; tms[side] += ms[side, unit]
        }
        print line
    }
    line = sprintf("%-27s", "total")
    for (s = 0; s < 2; s++) {
        side = s ? "ferry" : "direct"
        line = line (ran[side] ? sprintf(" | %6d %6d %6d %9s", tp[side], tf[side], tn[side], secs(tms[side])) : sprintf(" | %6s %6s %6s %9s", "-", "-", "-", "-"))
    }
    print line
    for (u = 1; u <= nunits; u++) for (s = 0; s < 2; s++) {
        side = s ? "ferry" : "direct"; unit = units[u]
        if ((side, unit) in stopped) printf "  %s %s stopped early (%s): the tests after it did not run\n", unit, side == "ferry" ? "through Ferry" : "directly", stopped[side, unit]
        if (runs[side, unit] > 1) printf "  %s %s ran %d times: it hung, and was run again without the test it hung in\n", unit, side == "ferry" ? "through Ferry" : "directly", runs[side, unit]
        if (blocks[side, unit]) printf "  %s %s: %d error(s) outside any test, first: %s\n", unit, side == "ferry" ? "through Ferry" : "directly", blocks[side, unit], blockmsg[side, unit]
    }
    if (!both) exit 0

    bad = 0; good = 0
    for (i = 1; i <= ntests; i++) {
        k = keys[i]
        if (res["direct", k] == "ok" && res["ferry", k] != "ok") only[++bad] = k
        if (res["ferry", k] == "ok" && res["direct", k] != "ok") onlyd[++good] = k
    }
    printf "\n%d tests fail only through Ferry (passed directly; failed, hung or did not run through Ferry):\n", bad
    for (i = 1; i <= bad; i++) {
        k = only[i]
        d = res["ferry", k] == "notrun" ? "(did not run: its unit stopped before it)" : det["ferry", k]
        printf "  %-27s %-6s %s  --  %s\n", tunit[k], res["ferry", k], tname[k], d
    }
    if (good) {
        printf "\n%d tests fail only directly (they pass through Ferry):\n", good
        for (i = 1; i <= good; i++) { k = onlyd[i]; printf "  %-27s %-6s %s  --  %s\n", tunit[k], res["direct", k], tname[k], det["direct", k] }
    }
    printf "\nredis-suite: directly %d passed and %d failed or not run; through Ferry %d passed and %d failed or not run; %d fail only through Ferry\n",
        tp["direct"], tf["direct"] + tn["direct"], tp["ferry"], tf["ferry"] + tn["ferry"], bad
    exit bad > 0 ? 1 : 0
}
