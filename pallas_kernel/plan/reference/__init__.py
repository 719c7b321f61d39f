"""Reference implementations in plain Python, kept beside the C core as its
specification: :mod:`.oracle` evaluates PLAN literally as the spec states it,
and :mod:`.seed` is the seed codec written from the format description. Tests,
benchmarks and tools compare the core against them; the package itself does
not use them."""
