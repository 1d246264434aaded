# Reads one `runtest` log (TERM=dumb: no colours) and prints one line per outcome, tab-separated:
#   ok    NAME
#   err   NAME   FIRST-ERROR-LINE
#   block -      FIRST-ERROR-LINE     (an error outside any test: the rest of that server block did not run)
#   stop  timeout|exception   FIRST-LINE   (the unit stopped: the suite's timeout or a crash of its client)
# [skip] and [ignore] lines (tags, external:skip) are not outcomes.
function clean(s) { gsub(/\t/, " ", s); sub(/\r$/, "", s); return s }
function finish() {
    if (kind != "") print kind "\t" name "\t" clean(detail)
    kind = ""; detail = ""; want = 0
}
want && /^[ \t]*$/ { next }
want && !/^\[/ { detail = $0; finish(); next }
/^\[ok\]: / {
    finish()
    n = substr($0, 7); sub(/ \([0-9]+ ms\)$/, "", n)
    print "ok\t" clean(n) "\t"
    next
}
/^\[err\]: / {
    finish()
    n = substr($0, 8)
    if (n ~ / in tests\/[^ ]+\.tcl$/) {
        sub(/ in tests\/[^ ]+\.tcl$/, "", n)
        kind = "err"; name = clean(n); want = 1
    } else {
        kind = "block"; name = "-"; detail = n; finish()
    }
    next
}
/^\[exception\]: / { finish(); kind = "stop"; name = "exception"; detail = substr($0, 14); finish(); next }
/^\[TIMEOUT\]: / { finish(); kind = "stop"; name = "timeout"; detail = "no progress within the suite's --timeout"; finish(); next }
/^\[/ { finish() }
END { finish() }
