//! Understanding and planning.
