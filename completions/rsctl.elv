
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --set 'Replica set name (default: --replica-set, the URI''s replicaSet, or "rs0")'
            cand --member 'A member, optionally with tags: HOST:PORT[,tag=value...]. Repeat for each member. Without any, the seed list is used (a single seed: mongod''s implicit config)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --no-wait 'Return as soon as replSetInitiate succeeds, without waiting for a primary'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --explain 'Explain the server selection: every member, eligible or why not, and the one picked'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;failover-watch'= {
            cand --duration 'Stop after this long (default: until Ctrl-C)'
            cand --probe-interval 'Interval between probe writes'
            cand --probe-timeout 'A probe write not acknowledged within this counts as failed (and is abandoned)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --probe 'Write a small document with w:"majority" every probe interval and report outages'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand up 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
            cand kill 'Crash a member: its port closes and its connections drop'
            cand start 'Restart a killed member on the same port; it rejoins as a secondary'
            cand pause 'Hang a member: connections are accepted but nothing is answered'
            cand resume 'Undo `pause`'
            cand partition 'Cut a member off from the others (clients still reach it)'
            cand heal 'Undo `partition`'
            cand latency 'Delay every reply of a member (0s to remove)'
            cand lag 'Make a member apply the primary''s writes late (0s to remove)'
            cand clock 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once'
            cand down 'Stop a running lab'
            cand ls 'List the running labs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rsctl;lab;up'= {
            cand --set 'The replica set name'
            cand --nodes 'How many members'
            cand --port 'First member''s port (the others follow); 0 = ephemeral ports'
            cand --tags 'Tags of one member, in member order: --tags dc=ny,rack=1 --tags dc=sf'
            cand --election-timeout 'electionTimeoutMillis'
            cand --heartbeat-interval 'heartbeatIntervalMillis; lowered (with a warning) to half the election timeout when larger, so that a late heartbeat does not make the primary flap'
            cand --periodic-noop-interval 'How often an idle primary writes a no-op to the oplog (mongod''s periodicNoopIntervalSecs; 0s: never; else at least 100ms). It keeps lastWriteDate moving, so drivers can tell how stale a secondary is'
            cand --latency 'Delay every reply of a member from the start: --latency 127.0.0.1:27018=50ms'
            cand --seed 'Seed of the lab''s rng (election jitter, ids)'
            cand --mongos 'Also run N mongos routers in front of the set (a one-shard cluster), on the ports after the members'' (ephemeral with --port 0). They take kill, start, pause, resume and latency'
            cand --auth 'Require authentication (SCRAM-SHA-1/256) as this user of the admin database; repeatable. USER alone takes the password from --auth-password-stdin or $RSCTL_LAB_PASSWORD; USER:PASSWORD also works but shows the password to anyone who can run `ps`. The users exist from the start, so every connection must authenticate (no localhost exception), even to initiate'
            cand --tls-cert-file 'With --tls: serve this certificate chain and key (one PEM file, like mongod''s tlsCertificateKeyFile) instead of a generated one. Needs --tls-ca-file'
            cand --tls-ca-file 'With --tls-cert-file: the CA (PEM) that issued it, printed as `tls-ca-file` and trusted for client certificates (like mongod''s tlsCAFile)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --arbiter 'The last member is an arbiter (used with --initiate)'
            cand --initiate 'Initiate the set with every member and its tags, and print `ready` once a primary is elected'
            cand --auth-password-stdin 'Read the password of every --auth USER given without one from the first line of standard input (else $RSCTL_LAB_PASSWORD is used)'
            cand --tls 'Serve TLS only, with a fresh CA and a certificate for 127.0.0.1 and localhost; prints `tls-ca-file PATH` (use it as tlsCAFile) and `tls-client-cert PATH` (a client certificate and key signed by the CA, for tlsCertificateKeyFile and MONGODB-X509). Client certificates are verified when presented'
            cand --tls-require-client-cert 'With --tls: refuse connections without a client certificate (mongod''s default)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;kill'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;start'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;pause'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;resume'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;partition'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;heal'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;latency'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;lag'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;clock'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;down'= {
            cand --set 'The lab''s replica set name (default: the only lab running)'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;ls'= {
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'rsctl;lab;help'= {
            cand up 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
            cand kill 'Crash a member: its port closes and its connections drop'
            cand start 'Restart a killed member on the same port; it rejoins as a secondary'
            cand pause 'Hang a member: connections are accepted but nothing is answered'
            cand resume 'Undo `pause`'
            cand partition 'Cut a member off from the others (clients still reach it)'
            cand heal 'Undo `partition`'
            cand latency 'Delay every reply of a member (0s to remove)'
            cand lag 'Make a member apply the primary''s writes late (0s to remove)'
            cand clock 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once'
            cand down 'Stop a running lab'
            cand ls 'List the running labs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rsctl;lab;help;up'= {
        }
        &'rsctl;lab;help;kill'= {
        }
        &'rsctl;lab;help;start'= {
        }
        &'rsctl;lab;help;pause'= {
        }
        &'rsctl;lab;help;resume'= {
        }
        &'rsctl;lab;help;partition'= {
        }
        &'rsctl;lab;help;heal'= {
        }
        &'rsctl;lab;help;latency'= {
        }
        &'rsctl;lab;help;lag'= {
        }
        &'rsctl;lab;help;clock'= {
        }
        &'rsctl;lab;help;down'= {
        }
        &'rsctl;lab;help;ls'= {
        }
        &'rsctl;lab;help;help'= {
        }
        &'rsctl;demo'= {
            cand --election-timeout 'electionTimeoutMillis of the lab (short, so the failover is quick)'
            cand --watch 'How long failover-watch runs around the kill'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand --username 'Authenticate as USER (SCRAM; authSource and authMechanism come from the URI). The password is prompted for on a terminal, or read with --password-stdin; with authMechanism=MONGODB-X509 none is asked for (USER must be the certificate''s subject)'
            cand --direct 'Talk to the first seed only, whatever its type (directConnection=true)'
            cand --json 'Short for --output json'
            cand -v 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --verbose 'More diagnostics on stderr (-v: info, -vv: debug, -vvv: trace; RUST_LOG overrides)'
            cand --password-stdin 'Read the password for --username from the first line of standard input'
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
            cand up 'Start fresh, uninitialized members (like `mongod --replSet NAME`) and run until Ctrl-C or `rsctl lab down`'
            cand kill 'Crash a member: its port closes and its connections drop'
            cand start 'Restart a killed member on the same port; it rejoins as a secondary'
            cand pause 'Hang a member: connections are accepted but nothing is answered'
            cand resume 'Undo `pause`'
            cand partition 'Cut a member off from the others (clients still reach it)'
            cand heal 'Undo `partition`'
            cand latency 'Delay every reply of a member (0s to remove)'
            cand lag 'Make a member apply the primary''s writes late (0s to remove)'
            cand clock 'Skew a member''s wall clock: +2m runs it two minutes ahead, -30s behind, 0 sets it right. Its writes as primary (and the periodic no-op) carry the skewed date, so a lagging secondary''s lastWriteDate falls that far behind the primary''s at once'
            cand down 'Stop a running lab'
            cand ls 'List the running labs'
        }
        &'rsctl;help;lab;up'= {
        }
        &'rsctl;help;lab;kill'= {
        }
        &'rsctl;help;lab;start'= {
        }
        &'rsctl;help;lab;pause'= {
        }
        &'rsctl;help;lab;resume'= {
        }
        &'rsctl;help;lab;partition'= {
        }
        &'rsctl;help;lab;heal'= {
        }
        &'rsctl;help;lab;latency'= {
        }
        &'rsctl;help;lab;lag'= {
        }
        &'rsctl;help;lab;clock'= {
        }
        &'rsctl;help;lab;down'= {
        }
        &'rsctl;help;lab;ls'= {
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
