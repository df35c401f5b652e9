//! The spec's strings as the model keeps them: the values alone, without where each stood
//! in devgen.toml, which only the spec's own messages need.

use serde_spanned::Spanned;

/// A string the spec may give.
pub(super) fn given(v: &Option<Spanned<String>>) -> Option<String> {
    v.as_ref().map(|v| v.get_ref().clone())
}

/// A list of strings the spec gives.
pub(super) fn strings(list: &[Spanned<String>]) -> Vec<String> {
    list.iter().map(|v| v.get_ref().clone()).collect()
}
