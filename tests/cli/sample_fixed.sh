# The seed's sample with POOL_FLAG_PAGED: it loads, prints both registry
# paths and the OS version, and leaks g_RegistryPath (tag 'dcba', "abcd" in
# memory): Driver Verifier's 0xC4/0x62 at unload.
. "$2/tests/cli/lib.sh"
run run examples/sample-fixed/sample.cpp
expect_status 3
expect_stdout tests/cli/expected/sample_fixed.out
run run --pool examples/sample-fixed/sample.cpp
expect_status 3
expect_stdout tests/cli/expected/sample_fixed_pool.out
ok "sample-fixed: runs, leak of tag abcd reported as 0xC4/0x62 with its source line; --pool table"
