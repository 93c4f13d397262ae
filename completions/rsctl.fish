# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rsctl_global_optspecs
    string join \n u/uri= s/replica-set= direct o/output= json timeout= heartbeat= local-threshold= color= v/verbose username= password-stdin dns-server= h/help V/version
end

function __fish_rsctl_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rsctl_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rsctl_using_subcommand
    set -l cmd (__fish_rsctl_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rsctl -n "__fish_rsctl_needs_command" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_needs_command" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_needs_command" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_needs_command" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_needs_command" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_needs_command" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_needs_command" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_needs_command" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "initiate" -d 'Turn fresh mongods into a replica set and wait for a primary'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "status" -d 'Discover the set from any live seed and show every member'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "read" -d 'Read documents with an explicit read preference; say who served them and why'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "failover-watch" -d 'Stream topology changes and elections live; measure write outages with --probe'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "stepdown" -d 'Step the primary down (or up another member with --to), checked first, and measure the election'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "freeze" -d 'Keep a member from standing for election for a while (replSetFreeze; --for 0s unfreezes)'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "member" -d 'Add, remove or change one member (previewed, checked, applied in safe steps)'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "reconfig" -d 'Install a whole new config from a file (previewed, checked, applied in safe steps)'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "lab" -d 'Run a simulated replica set (wire-compatible, with fault injection)'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "demo" -d 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "man" -d 'Write man pages (rsctl.1 and one per subcommand) into a directory'
complete -c rsctl -n "__fish_rsctl_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l set -d 'Replica set name (default: --replica-set, the URI\'s replicaSet, or "rs0")' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l member -d 'A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member. Without any, the seed list is used (a single seed: mongod\'s implicit config)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l arbiter -d 'An arbiter (votes, holds no data). Repeatable' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l priority -d 'A member\'s election priority: HOST:PORT=N. Repeatable' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l config -d 'A replica set config document (JSON / Extended JSON) to use as is' -r -F
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l wait-timeout -d 'How long to wait for a primary and every member to settle' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l no-wait -d 'Return as soon as replSetInitiate succeeds, without waiting for a primary'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand initiate" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand status" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l filter -d 'Query filter as (Extended) JSON, e.g. \'{"qty": {"$gt": 5}}\'' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l projection -d 'Projection as (Extended) JSON' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l sort -d 'Sort as (Extended) JSON, e.g. \'{"_id": -1}\'' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l limit -d 'Return at most N documents' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l skip -d 'Skip the first N documents' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l batch-size -d 'Documents per batch' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l pref -d 'Read preference mode' -r -f -a "primary\t'Only the primary'
primaryPreferred\t'The primary, else a secondary'
secondary\t'Only secondaries'
secondaryPreferred\t'A secondary, else the primary'
nearest\t'Any member within the latency window'"
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l tags -d 'A tag set k=v,k=v; repeat for ordered fallbacks; \'\' is the empty set (any member)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l max-staleness -d 'maxStalenessSeconds (at least 90s)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l explain -d 'Explain the server selection: every member, eligible or why not, and the one picked'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand read" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l duration -d 'Stop after this long (default: until Ctrl-C)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l probe-interval -d 'Interval between probe writes' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l probe-timeout -d 'A probe write not acknowledged within this counts as failed (and is abandoned)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l probe-ns -d 'Namespace the probe writes into' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l rtt-threshold -d 'Report a member\'s RTT when it moves by more than this' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l probe -d 'Write a small document with w:"majority" every probe interval and report outages'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand failover-watch" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l secs -d 'How long the old primary may not stand for election (replSetStepDown\'s stepDownSecs)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l catch-up -d 'How far behind the primary an electable secondary may be; the primary waits this long for one to catch up (secondaryCatchUpPeriodSecs) [default: 10s, or --secs if shorter]' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l to -d 'Make this member the primary (replSetStepUp on it) instead of letting the set choose' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l wait-timeout -d 'How long to wait for the new primary' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l probe -d 'Write a small document with w:"majority" every 100ms and report the write outage'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l force -d 'Step down even if no secondary is caught up (force: true): writes the secondaries have not copied can be rolled back'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand stepdown" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l for -d 'How long it may not stand for election, in whole seconds (0s unfreezes)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand freeze" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -f -a "add" -d 'Add a member (it must run mongod --replSet with no config yet)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -f -a "remove" -d 'Remove a member (not the primary: step it down first)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -f -a "set" -d 'Change a member\'s priority, votes, tags, hidden flag or delay'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and not __fish_seen_subcommand_from add remove set help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l priority -d 'Election priority (default 1; 0 for a hidden, delayed or non-voting member or an arbiter)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l votes -d 'Votes: 0 or 1 (default 1)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l secondary-delay -d 'Apply the primary\'s writes this late (secondaryDelaySecs; priority 0, whole seconds)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l wait-timeout -d 'How long to wait for each step to be committed (and added members to be SECONDARY)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l hidden -d 'Hidden from clients (priority 0)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l arbiter -d 'An arbiter: votes, holds no data'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l dry-run -d 'Print the plan (diff, checks, steps) and change nothing'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l no-wait -d 'Return once each reconfig is accepted, without waiting for it to be committed'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l force -d 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l yes -d 'Do not ask for confirmation (with --force)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l wait-timeout -d 'How long to wait for each step to be committed (and added members to be SECONDARY)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l dry-run -d 'Print the plan (diff, checks, steps) and change nothing'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l no-wait -d 'Return once each reconfig is accepted, without waiting for it to be committed'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l force -d 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l yes -d 'Do not ask for confirmation (with --force)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l priority -d 'Election priority (0 to 1000; 0: never primary)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l votes -d 'Votes: 0 or 1 (0 needs priority 0, which rsctl sets unless --priority is given)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l tag -d 'Set a tag: k=v. Repeatable' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l untag -d 'Remove a tag. Repeatable' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l secondary-delay -d 'Apply the primary\'s writes this late (secondaryDelaySecs; 0s: not delayed)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l wait-timeout -d 'How long to wait for each step to be committed (and added members to be SECONDARY)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l hidden -d 'Hide the member from clients (priority 0)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l no-hidden -d 'Show a hidden member to clients again (give --priority to make it electable)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l dry-run -d 'Print the plan (diff, checks, steps) and change nothing'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l no-wait -d 'Return once each reconfig is accepted, without waiting for it to be committed'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l force -d 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l yes -d 'Do not ask for confirmation (with --force)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a member (it must run mongod --replSet with no config yet)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a member (not the primary: step it down first)'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "set" -d 'Change a member\'s priority, votes, tags, hidden flag or delay'
complete -c rsctl -n "__fish_rsctl_using_subcommand member; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l config -d 'The whole new config, as JSON or Extended JSON (its version is ignored: rsctl sets it)' -r -F
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l wait-timeout -d 'How long to wait for each step to be committed (and added members to be SECONDARY)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l dry-run -d 'Print the plan (diff, checks, steps) and change nothing'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l no-wait -d 'Return once each reconfig is accepted, without waiting for it to be committed'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l force -d 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l yes -d 'Do not ask for confirmation (with --force)'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand reconfig" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "up" -d 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "kill" -d 'Crash a member: its port closes and its connections drop'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "start" -d 'Restart a killed member on the same port; it rejoins as a secondary'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "pause" -d 'Hang a member: connections are accepted but nothing is answered'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "resume" -d 'Undo `pause`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "partition" -d 'Cut a member off from the others (clients still reach it)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "heal" -d 'Undo `partition`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "latency" -d 'Delay every reply of a member (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "lag" -d 'Make a member apply the primary\'s writes late (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "clock" -d 'Skew a member\'s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary\'s lastWriteDate falls that far behind the primary\'s at once'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "down" -d 'Stop a running lab'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "ls" -d 'List the running labs'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and not __fish_seen_subcommand_from up kill start pause resume partition heal latency lag clock down ls help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l set -d 'The replica set name' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l nodes -d 'How many members' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l port -d 'First member\'s port (the others follow); 0 = ephemeral ports' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l tags -d 'Tags of one member, in member order: --tags dc=ny,rack=1 --tags dc=sf' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l election-timeout -d 'electionTimeoutMillis' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l heartbeat-interval -d 'heartbeatIntervalMillis; lowered (with a warning) to half the election timeout when larger, so that a late heartbeat does not make the primary flap' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l initial-sync -d 'How long initial sync takes: a member that receives a config (at --initiate, or when added) stays in STARTUP2 this long, copying the data, before it becomes SECONDARY and may stand for election' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l periodic-noop-interval -d 'How often an idle primary writes a no-op to the oplog (mongod\'s periodicNoopIntervalSecs; 0s: never; else at least 100ms). It keeps lastWriteDate moving, so drivers can tell how stale a secondary is' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l latency -d 'Delay every reply of a member from the start: --latency 127.0.0.1:27018=50ms' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l seed -d 'Seed of the lab\'s rng (election jitter, ids)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l mongos -d 'Also run N mongos routers in front of the set (a one-shard cluster), on the ports after the members\' (ephemeral with --port 0). They take kill, start, pause, resume and latency' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l auth -d 'Require authentication (SCRAM-SHA-1/256) as this user of the admin database; repeatable. USER alone takes the password from --auth-password-stdin or $RSCTL_LAB_PASSWORD; USER:PASSWORD also works but shows the password to anyone who can run `ps`. The users exist from the start, so every connection must authenticate (no localhost exception), even to initiate' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l tls-cert-file -d 'With --tls: serve this certificate chain and key (one PEM file, like mongod\'s tlsCertificateKeyFile) instead of a generated one. Needs --tls-ca-file' -r -F
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l tls-ca-file -d 'With --tls-cert-file: the CA (PEM) that issued it, printed as `tls-ca-file` and trusted for client certificates (like mongod\'s tlsCAFile)' -r -F
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l arbiter -d 'The last member is an arbiter (used with --initiate)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l initiate -d 'Initiate the set with every member and its tags, and print `ready` once a primary is elected'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l auth-password-stdin -d 'Read the password of every --auth USER given without one from the first line of standard input (else $RSCTL_LAB_PASSWORD is used)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l tls -d 'Serve TLS only, with a fresh CA and a certificate for 127.0.0.1 and localhost; prints `tls-ca-file PATH` (use it as tlsCAFile) and `tls-client-cert PATH` (a client certificate and key signed by the CA, for tlsCertificateKeyFile and MONGODB-X509). Client certificates are verified when presented'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l tls-require-client-cert -d 'With --tls: refuse connections without a client certificate (mongod\'s default)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from up" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from kill" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from start" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from pause" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from resume" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from partition" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from heal" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from latency" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from lag" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from clock" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l set -d 'The lab\'s replica set name (default: the only lab running)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from down" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from ls" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "up" -d 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "kill" -d 'Crash a member: its port closes and its connections drop'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "start" -d 'Restart a killed member on the same port; it rejoins as a secondary'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Hang a member: connections are accepted but nothing is answered'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Undo `pause`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "partition" -d 'Cut a member off from the others (clients still reach it)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "heal" -d 'Undo `partition`'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "latency" -d 'Delay every reply of a member (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "lag" -d 'Make a member apply the primary\'s writes late (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "clock" -d 'Skew a member\'s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary\'s lastWriteDate falls that far behind the primary\'s at once'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "down" -d 'Stop a running lab'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "ls" -d 'List the running labs'
complete -c rsctl -n "__fish_rsctl_using_subcommand lab; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l election-timeout -d 'electionTimeoutMillis of the lab (short, so the failover is quick)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l watch -d 'How long failover-watch runs around the kill' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand demo" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l dir -d 'Write the script of every shell (or only SHELL\'s) into this directory instead of stdout' -r -F
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand completions" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s u -l uri -d 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s s -l replica-set -d 'The replica set name to require (overrides replicaSet in the URI)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s o -l output -d 'Output format' -r -f -a "table\t'Human-readable tables and lines'
json\t'Machine-readable JSON (JSON Lines for streams)'"
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l timeout -d 'Server selection timeout (e.g. 500ms, 10s, 2m)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l heartbeat -d 'Interval between the monitors\' heartbeats (heartbeatFrequencyMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l local-threshold -d 'Width of the latency window above the fastest eligible member (localThresholdMS)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l color -d 'When to colour the output (NO_COLOR is respected by auto)' -r -f -a "auto\t'Colour when stdout is a terminal and `NO_COLOR` is unset'
always\t'Always colour'
never\t'Never colour'"
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l username -d 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate\'s subject)' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l dns-server -d 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members\' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients' -r
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l direct -d 'Talk to the first seed only, whatever its type (directConnection=true)'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l json -d 'Short for --output json'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s v -l verbose -d 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -l password-stdin -d 'Read the password for --username from the first line of standard input'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rsctl -n "__fish_rsctl_using_subcommand man" -s V -l version -d 'Print version'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "initiate" -d 'Turn fresh mongods into a replica set and wait for a primary'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "status" -d 'Discover the set from any live seed and show every member'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "read" -d 'Read documents with an explicit read preference; say who served them and why'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "failover-watch" -d 'Stream topology changes and elections live; measure write outages with --probe'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "stepdown" -d 'Step the primary down (or up another member with --to), checked first, and measure the election'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "freeze" -d 'Keep a member from standing for election for a while (replSetFreeze; --for 0s unfreezes)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "member" -d 'Add, remove or change one member (previewed, checked, applied in safe steps)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "reconfig" -d 'Install a whole new config from a file (previewed, checked, applied in safe steps)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "lab" -d 'Run a simulated replica set (wire-compatible, with fault injection)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "demo" -d 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "completions" -d 'Print a shell completion script'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "man" -d 'Write man pages (rsctl.1 and one per subcommand) into a directory'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and not __fish_seen_subcommand_from initiate status read failover-watch stepdown freeze member reconfig lab demo completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "add" -d 'Add a member (it must run mongod --replSet with no config yet)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "remove" -d 'Remove a member (not the primary: step it down first)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from member" -f -a "set" -d 'Change a member\'s priority, votes, tags, hidden flag or delay'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "up" -d 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "kill" -d 'Crash a member: its port closes and its connections drop'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "start" -d 'Restart a killed member on the same port; it rejoins as a secondary'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "pause" -d 'Hang a member: connections are accepted but nothing is answered'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "resume" -d 'Undo `pause`'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "partition" -d 'Cut a member off from the others (clients still reach it)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "heal" -d 'Undo `partition`'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "latency" -d 'Delay every reply of a member (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "lag" -d 'Make a member apply the primary\'s writes late (0s to remove)'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "clock" -d 'Skew a member\'s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary\'s lastWriteDate falls that far behind the primary\'s at once'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "down" -d 'Stop a running lab'
complete -c rsctl -n "__fish_rsctl_using_subcommand help; and __fish_seen_subcommand_from lab" -f -a "ls" -d 'List the running labs'
