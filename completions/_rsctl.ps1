
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rsctl' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rsctl'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rsctl' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('initiate', 'initiate', [CompletionResultType]::ParameterValue, 'Turn fresh mongods into a replica set and wait for a primary')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Discover the set from any live seed and show every member')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Read documents with an explicit read preference; say who served them and why')
            [CompletionResult]::new('failover-watch', 'failover-watch', [CompletionResultType]::ParameterValue, 'Stream topology changes and elections live; measure write outages with --probe')
            [CompletionResult]::new('stepdown', 'stepdown', [CompletionResultType]::ParameterValue, 'Step the primary down (or up another member with --to), checked first, and measure the election')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Keep a member from standing for election for a while (replSetFreeze; --for 0s unfreezes)')
            [CompletionResult]::new('member', 'member', [CompletionResultType]::ParameterValue, 'Add, remove or change one member (previewed, checked, applied in safe steps)')
            [CompletionResult]::new('reconfig', 'reconfig', [CompletionResultType]::ParameterValue, 'Install a whole new config from a file (previewed, checked, applied in safe steps)')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Run a simulated replica set (wire-compatible, with fault injection)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (rsctl.1 and one per subcommand) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;initiate' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'Replica set name (default: --replica-set, the URI''s replicaSet, or "rs0")')
            [CompletionResult]::new('--member', '--member', [CompletionResultType]::ParameterName, 'A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member. Without any, the seed list is used (a single seed: mongod''s implicit config)')
            [CompletionResult]::new('--arbiter', '--arbiter', [CompletionResultType]::ParameterName, 'An arbiter (votes, holds no data). Repeatable')
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'A member''s election priority: HOST:PORT=N. Repeatable')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'A replica set config document (JSON / Extended JSON) to use as is')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for a primary and every member to settle')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return as soon as replSetInitiate succeeds, without waiting for a primary')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;status' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;read' {
            [CompletionResult]::new('--filter', '--filter', [CompletionResultType]::ParameterName, 'Query filter as (Extended) JSON, e.g. ''{"qty": {"$gt": 5}}''')
            [CompletionResult]::new('--projection', '--projection', [CompletionResultType]::ParameterName, 'Projection as (Extended) JSON')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'Sort as (Extended) JSON, e.g. ''{"_id": -1}''')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Return at most N documents')
            [CompletionResult]::new('--skip', '--skip', [CompletionResultType]::ParameterName, 'Skip the first N documents')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Documents per batch')
            [CompletionResult]::new('--pref', '--pref', [CompletionResultType]::ParameterName, 'Read preference mode')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'A tag set k=v,k=v; repeat for ordered fallbacks; '''' is the empty set (any member)')
            [CompletionResult]::new('--max-staleness', '--max-staleness', [CompletionResultType]::ParameterName, 'maxStalenessSeconds (at least 90s)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Explain the server selection: every member, eligible or why not, and the one picked')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;failover-watch' {
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Stop after this long (default: until Ctrl-C)')
            [CompletionResult]::new('--probe-interval', '--probe-interval', [CompletionResultType]::ParameterName, 'Interval between probe writes')
            [CompletionResult]::new('--probe-timeout', '--probe-timeout', [CompletionResultType]::ParameterName, 'A probe write not acknowledged within this counts as failed (and is abandoned)')
            [CompletionResult]::new('--probe-ns', '--probe-ns', [CompletionResultType]::ParameterName, 'Namespace the probe writes into')
            [CompletionResult]::new('--rtt-threshold', '--rtt-threshold', [CompletionResultType]::ParameterName, 'Report a member''s RTT when it moves by more than this')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Write a small document with w:"majority" every probe interval and report outages')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;stepdown' {
            [CompletionResult]::new('--secs', '--secs', [CompletionResultType]::ParameterName, 'How long the old primary may not stand for election (replSetStepDown''s stepDownSecs)')
            [CompletionResult]::new('--catch-up', '--catch-up', [CompletionResultType]::ParameterName, 'How far behind the primary an electable secondary may be; the primary waits this long for one to catch up (secondaryCatchUpPeriodSecs) [default: 10s, or --secs if shorter]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Make this member the primary (replSetStepUp on it) instead of letting the set choose')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for the new primary')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--probe', '--probe', [CompletionResultType]::ParameterName, 'Write a small document with w:"majority" every 100ms and report the write outage')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Step down even if no secondary is caught up (force: true): writes the secondaries have not copied can be rolled back')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;freeze' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'How long it may not stand for election, in whole seconds (0s unfreezes)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;member' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member (it must run mongod --replSet with no config yet)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member (not the primary: step it down first)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a member''s priority, votes, tags, hidden flag or delay')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;member;add' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Election priority (default 1; 0 for a hidden, delayed or non-voting member or an arbiter)')
            [CompletionResult]::new('--votes', '--votes', [CompletionResultType]::ParameterName, 'Votes: 0 or 1 (default 1)')
            [CompletionResult]::new('--secondary-delay', '--secondary-delay', [CompletionResultType]::ParameterName, 'Apply the primary''s writes this late (secondaryDelaySecs; priority 0, whole seconds)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each step to be committed (and added members to be SECONDARY)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Hidden from clients (priority 0)')
            [CompletionResult]::new('--arbiter', '--arbiter', [CompletionResultType]::ParameterName, 'An arbiter: votes, holds no data')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (diff, checks, steps) and change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once each reconfig is accepted, without waiting for it to be committed')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (with --force)')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;member;remove' {
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each step to be committed (and added members to be SECONDARY)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (diff, checks, steps) and change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once each reconfig is accepted, without waiting for it to be committed')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (with --force)')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;member;set' {
            [CompletionResult]::new('--priority', '--priority', [CompletionResultType]::ParameterName, 'Election priority (0 to 1000; 0: never primary)')
            [CompletionResult]::new('--votes', '--votes', [CompletionResultType]::ParameterName, 'Votes: 0 or 1 (0 needs priority 0, which rsctl sets unless --priority is given)')
            [CompletionResult]::new('--tag', '--tag', [CompletionResultType]::ParameterName, 'Set a tag: k=v. Repeatable')
            [CompletionResult]::new('--untag', '--untag', [CompletionResultType]::ParameterName, 'Remove a tag. Repeatable')
            [CompletionResult]::new('--secondary-delay', '--secondary-delay', [CompletionResultType]::ParameterName, 'Apply the primary''s writes this late (secondaryDelaySecs; 0s: not delayed)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each step to be committed (and added members to be SECONDARY)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--hidden', '--hidden', [CompletionResultType]::ParameterName, 'Hide the member from clients (priority 0)')
            [CompletionResult]::new('--no-hidden', '--no-hidden', [CompletionResultType]::ParameterName, 'Show a hidden member to clients again (give --priority to make it electable)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (diff, checks, steps) and change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once each reconfig is accepted, without waiting for it to be committed')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (with --force)')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;member;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member (it must run mongod --replSet with no config yet)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member (not the primary: step it down first)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a member''s priority, votes, tags, hidden flag or delay')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;member;help;add' {
            break
        }
        'rsctl;member;help;remove' {
            break
        }
        'rsctl;member;help;set' {
            break
        }
        'rsctl;member;help;help' {
            break
        }
        'rsctl;reconfig' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The whole new config, as JSON or Extended JSON (its version is ignored: rsctl sets it)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'How long to wait for each step to be committed (and added members to be SECONDARY)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan (diff, checks, steps) and change nothing')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Return once each reconfig is accepted, without waiting for it to be committed')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Recovery when no primary can be elected: replSetReconfig with force: true on the member rsctl reaches (a secondary if need be), in one step, skipping the safety rules. Can roll back majority-committed writes. Asks for confirmation unless --yes')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (with --force)')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'Crash a member: its port closes and its connections drop')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Restart a killed member on the same port; it rejoins as a secondary')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Hang a member: connections are accepted but nothing is answered')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Undo `pause`')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'Cut a member off from the others (clients still reach it)')
            [CompletionResult]::new('heal', 'heal', [CompletionResultType]::ParameterValue, 'Undo `partition`')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Delay every reply of a member (0s to remove)')
            [CompletionResult]::new('lag', 'lag', [CompletionResultType]::ParameterValue, 'Make a member apply the primary''s writes late (0s to remove)')
            [CompletionResult]::new('clock', 'clock', [CompletionResultType]::ParameterValue, 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop a running lab')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the running labs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;lab;up' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The replica set name')
            [CompletionResult]::new('--nodes', '--nodes', [CompletionResultType]::ParameterName, 'How many members')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'First member''s port (the others follow); 0 = ephemeral ports')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Tags of one member, in member order: --tags dc=ny,rack=1 --tags dc=sf')
            [CompletionResult]::new('--election-timeout', '--election-timeout', [CompletionResultType]::ParameterName, 'electionTimeoutMillis')
            [CompletionResult]::new('--heartbeat-interval', '--heartbeat-interval', [CompletionResultType]::ParameterName, 'heartbeatIntervalMillis; lowered (with a warning) to half the election timeout when larger, so that a late heartbeat does not make the primary flap')
            [CompletionResult]::new('--initial-sync', '--initial-sync', [CompletionResultType]::ParameterName, 'How long initial sync takes: a member that receives a config (at --initiate, or when added) stays in STARTUP2 this long, copying the data, before it becomes SECONDARY and may stand for election')
            [CompletionResult]::new('--periodic-noop-interval', '--periodic-noop-interval', [CompletionResultType]::ParameterName, 'How often an idle primary writes a no-op to the oplog (mongod''s periodicNoopIntervalSecs; 0s: never; else at least 100ms). It keeps lastWriteDate moving, so drivers can tell how stale a secondary is')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Delay every reply of a member from the start: --latency 127.0.0.1:27018=50ms')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed of the lab''s rng (election jitter, ids)')
            [CompletionResult]::new('--mongos', '--mongos', [CompletionResultType]::ParameterName, 'Also run N mongos routers in front of the set (a one-shard cluster), on the ports after the members'' (ephemeral with --port 0). They take kill, start, pause, resume and latency')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Require authentication (SCRAM-SHA-1/256) as this user of the admin database; repeatable. USER alone takes the password from --auth-password-stdin or $RSCTL_LAB_PASSWORD; USER:PASSWORD also works but shows the password to anyone who can run `ps`. The users exist from the start, so every connection must authenticate (no localhost exception), even to initiate')
            [CompletionResult]::new('--tls-cert-file', '--tls-cert-file', [CompletionResultType]::ParameterName, 'With --tls: serve this certificate chain and key (one PEM file, like mongod''s tlsCertificateKeyFile) instead of a generated one. Needs --tls-ca-file')
            [CompletionResult]::new('--tls-ca-file', '--tls-ca-file', [CompletionResultType]::ParameterName, 'With --tls-cert-file: the CA (PEM) that issued it, printed as `tls-ca-file` and trusted for client certificates (like mongod''s tlsCAFile)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--arbiter', '--arbiter', [CompletionResultType]::ParameterName, 'The last member is an arbiter (used with --initiate)')
            [CompletionResult]::new('--initiate', '--initiate', [CompletionResultType]::ParameterName, 'Initiate the set with every member and its tags, and print `ready` once a primary is elected')
            [CompletionResult]::new('--auth-password-stdin', '--auth-password-stdin', [CompletionResultType]::ParameterName, 'Read the password of every --auth USER given without one from the first line of standard input (else $RSCTL_LAB_PASSWORD is used)')
            [CompletionResult]::new('--tls', '--tls', [CompletionResultType]::ParameterName, 'Serve TLS only, with a fresh CA and a certificate for 127.0.0.1 and localhost; prints `tls-ca-file PATH` (use it as tlsCAFile) and `tls-client-cert PATH` (a client certificate and key signed by the CA, for tlsCertificateKeyFile and MONGODB-X509). Client certificates are verified when presented')
            [CompletionResult]::new('--tls-require-client-cert', '--tls-require-client-cert', [CompletionResultType]::ParameterName, 'With --tls: refuse connections without a client certificate (mongod''s default)')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;kill' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;start' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;pause' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;resume' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;partition' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;heal' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;latency' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;lag' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;clock' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;down' {
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'The lab''s replica set name (default: the only lab running)')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;ls' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;lab;help' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'Crash a member: its port closes and its connections drop')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Restart a killed member on the same port; it rejoins as a secondary')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Hang a member: connections are accepted but nothing is answered')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Undo `pause`')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'Cut a member off from the others (clients still reach it)')
            [CompletionResult]::new('heal', 'heal', [CompletionResultType]::ParameterValue, 'Undo `partition`')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Delay every reply of a member (0s to remove)')
            [CompletionResult]::new('lag', 'lag', [CompletionResultType]::ParameterValue, 'Make a member apply the primary''s writes late (0s to remove)')
            [CompletionResult]::new('clock', 'clock', [CompletionResultType]::ParameterValue, 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop a running lab')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the running labs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;lab;help;up' {
            break
        }
        'rsctl;lab;help;kill' {
            break
        }
        'rsctl;lab;help;start' {
            break
        }
        'rsctl;lab;help;pause' {
            break
        }
        'rsctl;lab;help;resume' {
            break
        }
        'rsctl;lab;help;partition' {
            break
        }
        'rsctl;lab;help;heal' {
            break
        }
        'rsctl;lab;help;latency' {
            break
        }
        'rsctl;lab;help;lag' {
            break
        }
        'rsctl;lab;help;clock' {
            break
        }
        'rsctl;lab;help;down' {
            break
        }
        'rsctl;lab;help;ls' {
            break
        }
        'rsctl;lab;help;help' {
            break
        }
        'rsctl;demo' {
            [CompletionResult]::new('--election-timeout', '--election-timeout', [CompletionResultType]::ParameterName, 'electionTimeoutMillis of the lab (short, so the failover is quick)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'How long failover-watch runs around the kill')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;completions' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write the script of every shell (or only SHELL''s) into this directory instead of stdout')
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;man' {
            [CompletionResult]::new('-u', '-u', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('--uri', '--uri', [CompletionResultType]::ParameterName, 'Where to connect: a connection string (mongodb://user:pass@h1,h2/?replicaSet=rs0) or a bare seed list (h1:27017,h2:27018)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('--replica-set', '--replica-set', [CompletionResultType]::ParameterName, 'The replica set name to require (overrides replicaSet in the URI)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Server selection timeout (e.g. 500ms, 10s, 2m)')
            [CompletionResult]::new('--heartbeat', '--heartbeat', [CompletionResultType]::ParameterName, 'Interval between the monitors'' heartbeats (heartbeatFrequencyMS)')
            [CompletionResult]::new('--local-threshold', '--local-threshold', [CompletionResultType]::ParameterName, 'Width of the latency window above the fastest eligible member (localThresholdMS)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the output (NO_COLOR is respected by auto)')
            [CompletionResult]::new('--username', '--username', [CompletionResultType]::ParameterName, 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)')
            [CompletionResult]::new('--dns-server', '--dns-server', [CompletionResultType]::ParameterName, 'Ask this DNS server (IP or IP:PORT, port 53 by default) instead of the system resolver: for the SRV and TXT lookups of a mongodb+srv:// URI and, first, for the members'' host names (names it does not know fall back to the system resolver). For split-horizon DNS debugging: see what a given server tells clients')
            [CompletionResult]::new('--direct', '--direct', [CompletionResultType]::ParameterName, 'Talk to the first seed only, whatever its type (directConnection=true)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Short for --output json')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password for --username from the first line of standard input')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'rsctl;help' {
            [CompletionResult]::new('initiate', 'initiate', [CompletionResultType]::ParameterValue, 'Turn fresh mongods into a replica set and wait for a primary')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Discover the set from any live seed and show every member')
            [CompletionResult]::new('read', 'read', [CompletionResultType]::ParameterValue, 'Read documents with an explicit read preference; say who served them and why')
            [CompletionResult]::new('failover-watch', 'failover-watch', [CompletionResultType]::ParameterValue, 'Stream topology changes and elections live; measure write outages with --probe')
            [CompletionResult]::new('stepdown', 'stepdown', [CompletionResultType]::ParameterValue, 'Step the primary down (or up another member with --to), checked first, and measure the election')
            [CompletionResult]::new('freeze', 'freeze', [CompletionResultType]::ParameterValue, 'Keep a member from standing for election for a while (replSetFreeze; --for 0s unfreezes)')
            [CompletionResult]::new('member', 'member', [CompletionResultType]::ParameterValue, 'Add, remove or change one member (previewed, checked, applied in safe steps)')
            [CompletionResult]::new('reconfig', 'reconfig', [CompletionResultType]::ParameterValue, 'Install a whole new config from a file (previewed, checked, applied in safe steps)')
            [CompletionResult]::new('lab', 'lab', [CompletionResultType]::ParameterValue, 'Run a simulated replica set (wire-compatible, with fault injection)')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'A guided tour on an embedded 3-member lab: initiate, status, reads, a failover')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write man pages (rsctl.1 and one per subcommand) into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rsctl;help;initiate' {
            break
        }
        'rsctl;help;status' {
            break
        }
        'rsctl;help;read' {
            break
        }
        'rsctl;help;failover-watch' {
            break
        }
        'rsctl;help;stepdown' {
            break
        }
        'rsctl;help;freeze' {
            break
        }
        'rsctl;help;member' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a member (it must run mongod --replSet with no config yet)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a member (not the primary: step it down first)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Change a member''s priority, votes, tags, hidden flag or delay')
            break
        }
        'rsctl;help;member;add' {
            break
        }
        'rsctl;help;member;remove' {
            break
        }
        'rsctl;help;member;set' {
            break
        }
        'rsctl;help;reconfig' {
            break
        }
        'rsctl;help;lab' {
            [CompletionResult]::new('up', 'up', [CompletionResultType]::ParameterValue, 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`')
            [CompletionResult]::new('kill', 'kill', [CompletionResultType]::ParameterValue, 'Crash a member: its port closes and its connections drop')
            [CompletionResult]::new('start', 'start', [CompletionResultType]::ParameterValue, 'Restart a killed member on the same port; it rejoins as a secondary')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Hang a member: connections are accepted but nothing is answered')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Undo `pause`')
            [CompletionResult]::new('partition', 'partition', [CompletionResultType]::ParameterValue, 'Cut a member off from the others (clients still reach it)')
            [CompletionResult]::new('heal', 'heal', [CompletionResultType]::ParameterValue, 'Undo `partition`')
            [CompletionResult]::new('latency', 'latency', [CompletionResultType]::ParameterValue, 'Delay every reply of a member (0s to remove)')
            [CompletionResult]::new('lag', 'lag', [CompletionResultType]::ParameterValue, 'Make a member apply the primary''s writes late (0s to remove)')
            [CompletionResult]::new('clock', 'clock', [CompletionResultType]::ParameterValue, 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once')
            [CompletionResult]::new('down', 'down', [CompletionResultType]::ParameterValue, 'Stop a running lab')
            [CompletionResult]::new('ls', 'ls', [CompletionResultType]::ParameterValue, 'List the running labs')
            break
        }
        'rsctl;help;lab;up' {
            break
        }
        'rsctl;help;lab;kill' {
            break
        }
        'rsctl;help;lab;start' {
            break
        }
        'rsctl;help;lab;pause' {
            break
        }
        'rsctl;help;lab;resume' {
            break
        }
        'rsctl;help;lab;partition' {
            break
        }
        'rsctl;help;lab;heal' {
            break
        }
        'rsctl;help;lab;latency' {
            break
        }
        'rsctl;help;lab;lag' {
            break
        }
        'rsctl;help;lab;clock' {
            break
        }
        'rsctl;help;lab;down' {
            break
        }
        'rsctl;help;lab;ls' {
            break
        }
        'rsctl;help;demo' {
            break
        }
        'rsctl;help;completions' {
            break
        }
        'rsctl;help;man' {
            break
        }
        'rsctl;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
