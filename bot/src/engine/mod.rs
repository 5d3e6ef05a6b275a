//! The conversation engine: one platform-neutral state machine for the life of a request.
//!
//! `decide` holds the rules (pure); the host around it loads and stores conversations with
//! compare-and-set, carries out the effects, and feeds in verdicts and deployment results. Chat
//! platforms are adapters: they turn messages and button presses into [`Event`]s and render
//! [`Card`]s.

pub mod card;
pub mod decide;
pub mod directory;
pub mod model;

pub use card::Card;
pub use decide::{Button, Effect, Engine, Event, Step};
pub use directory::{Directory, Role};
pub use model::{Conversation, PlanVersion, Stage, Thread, User};
