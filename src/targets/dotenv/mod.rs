//! The `dotenv` target: a devgen block in `.env` with every variable through which the app
//! and its tools find what devgen runs ([`super::variables`]), for tools outside the dev
//! shell (an editor's mix, a script, docker compose). On when any is. Template in
//! `templates/dotenv/`.

use serde::Serialize;

use super::variables::{variables, Variable};
use super::{Scope, Target, DOTENV};
use crate::model::Model;
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "dotenv",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: &[],
};

static OUTPUTS: &[OutputDecl] = &[decl(".env", "dotenv/env.j2", Ownership::Block, DOTENV)];

#[derive(Serialize)]
struct Context {
    variables: Vec<Variable>,
}

fn for_model(model: &Model) -> Option<minijinja::Value> {
    let variables = variables(model);
    (!variables.is_empty()).then(|| crate::render::values(&Context { variables }))
}
