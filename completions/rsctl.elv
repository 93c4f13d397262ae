
use builtin;
use str;

set edit:completion:arg-completer[rsctl] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rsctl'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rsctl'= {
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand initiate 'Turn fresh mongods into a replica set and wait for a primary'
            cand status 'Discover the set from any live seed and show every member'
            cand read 'Read documents with an explicit read preference; say who served them and why'
            cand failover-watch 'Stream topology changes and elections live; measure write outages with --probe'
            cand lab 'Run a simulated replica set (wire-compatible, with fault injection)'
            cand demo 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages (rsctl.1 and one per subcommand) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rsctl;initiate'= {
            cand --set 'Replica set name (default: the URI''s replicaSet, --replica-set, or "rs0")'
            cand --member 'A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member. Without any, the seed list is used (and with a single seed, mongod''s implicit config)'
            cand --arbiter 'An arbiter (votes, holds no data). Repeatable'
            cand --priority 'A member''s election priority: HOST:PORT=N. Repeatable'
            cand --config 'A replica set config document (JSON / Extended JSON) to use as is'
            cand --wait-timeout 'How long to wait for a primary and every member to settle'
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --no-wait 'Return as soon as replSetInitiate succeeds, without waiting for a primary'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;status'= {
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;read'= {
            cand --filter 'Query filter as (Extended) JSON, e.g. ''{"qty": {"$gt": 5}}'''
            cand --projection 'Projection as (Extended) JSON'
            cand --sort 'Sort as (Extended) JSON, e.g. ''{"_id": -1}'''
            cand --limit 'Return at most N documents'
            cand --skip 'Skip the first N documents'
            cand --batch-size 'Documents per batch'
            cand --pref 'Read preference mode'
            cand --tags 'A tag set k=v,k=v; repeat for ordered fallbacks; '''' is the empty set (any member)'
            cand --max-staleness 'maxStalenessSeconds (at least 90s)'
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --explain 'Explain the server selection: every member, eligible or why not, and the one picked'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;failover-watch'= {
            cand --duration 'Stop after this long (default: until Ctrl-C)'
            cand --probe-interval 'Interval between probe writes'
            cand --probe-ns 'Namespace the probe writes into'
            cand --rtt-threshold 'Report a member''s RTT when it moves by more than this'
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --probe 'Write a small document with w:"majority" every probe interval and report outages'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab'= {
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;demo'= {
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;completions'= {
            cand --dir 'Write the script of every shell (or only SHELL''s) into this directory instead of stdout'
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;man'= {
            cand -u 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand --uri 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)'
            cand -s 'The replica set name to require (overrides replicaSet in the URI)'
            cand --replica-set 'The replica set name to require (overrides replicaSet in the URI)'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --timeout 'Server selection timeout (e.g. 500ms, 10s, 2m)'
            cand --heartbeat 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)'
            cand --local-threshold 'Width of the latency window above the fastest eligible member (localThresholdMS)'
            cand --color 'When to colour the output (NO_COLOR is respected by auto)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;help'= {
            cand initiate 'Turn fresh mongods into a replica set and wait for a primary'
            cand status 'Discover the set from any live seed and show every member'
            cand read 'Read documents with an explicit read preference; say who served them and why'
            cand failover-watch 'Stream topology changes and elections live; measure write outages with --probe'
            cand lab 'Run a simulated replica set (wire-compatible, with fault injection)'
            cand demo 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover'
            cand completions 'Print a shell completion script'
            cand man 'Write man pages (rsctl.1 and one per subcommand) into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rsctl;help;initiate'= {
        }
        &'rsctl;help;status'= {
        }
        &'rsctl;help;read'= {
        }
        &'rsctl;help;failover-watch'= {
        }
        &'rsctl;help;lab'= {
        }
        &'rsctl;help;demo'= {
        }
        &'rsctl;help;completions'= {
        }
        &'rsctl;help;man'= {
        }
        &'rsctl;help;help'= {
        }
    ]
    $completions[$command]
}
