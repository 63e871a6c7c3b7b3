//! Streaming statistics that merge to the same bits whatever the thread count, chunking or
//! number of machines:
//! - [`moments`]: count, mean and M2 per cell (Welford inside a chunk, Chan to merge);
//! - [`sketch`]: DDSketch quantiles with integer counts, so merging is exactly associative;
//! - [`control`]: co-moments of the control variates (Welford and Chan), and the
//!   regression-adjusted means;
//! - [`fans`]: which cells keep a sketch (every cell keeps its moments);
//! - [`partial`]: the statistics of a range of paths, organised as a canonical tree of chunk
//!   ranges so that any split of a run merges back to the identical result.

pub mod control;
pub mod fans;
pub mod moments;
pub mod partial;
pub mod sketch;

pub use control::CoMoments;
pub use fans::Fans;
pub use moments::Moments;
pub use partial::{CHUNK_PATHS, RunStats};
pub use sketch::Sketch;
