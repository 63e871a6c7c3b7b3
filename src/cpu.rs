//! Refuses to load a build compiled for instructions this CPU does not have.
//!
//! `.cargo/config.toml` builds from source for the building machine's CPU. Such a library,
//! copied or shared (a Dask cluster whose nodes mount one environment) onto an older CPU, would
//! die on an illegal instruction, taking the interpreter with it. The module's initialisation
//! checks first and raises an `ImportError` that says how to build a portable copy.

/// Instruction-set extensions this build was compiled to use and this CPU lacks.
#[must_use]
pub fn missing_features() -> Vec<&'static str> {
    let mut missing = Vec::new();
    #[cfg(target_arch = "x86_64")]
    {
        macro_rules! check {
            ($($feature:tt),* $(,)?) => {
                $(
                    if cfg!(target_feature = $feature) && !std::arch::is_x86_feature_detected!($feature) {
                        missing.push($feature);
                    }
                )*
            };
        }
        check!(
            "sse3", "ssse3", "sse4.1", "sse4.2", "popcnt", "avx", "avx2", "fma", "bmi1", "bmi2", "lzcnt", "f16c",
            "movbe", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
        );
    }
    missing
}

/// The message of the `ImportError` for `missing` features.
#[must_use]
pub fn refusal(missing: &[&str]) -> String {
    format!(
        "this copy of gridrisk was compiled for a CPU with {}, which this machine lacks (it was built on \
         another machine: builds from source use the building CPU's instructions). Reinstall it here with \
         `pip install .` from the source checkout, or build a portable copy for every machine: \
         RUSTFLAGS=\"-C target-cpu=x86-64-v2\" pip install .",
        missing.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_building_cpu_has_what_it_compiled_for() {
        assert!(missing_features().is_empty(), "{:?}", missing_features());
    }

    #[test]
    fn the_refusal_says_how_to_build_a_portable_copy() {
        let m = refusal(&["avx2", "fma"]);
        assert!(m.contains("avx2, fma") && m.contains("target-cpu=x86-64-v2"), "{m}");
    }
}
