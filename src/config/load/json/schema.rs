//! What each block of Terraform's JSON syntax contains: which properties
//! are nested blocks (and how many labels they take) and how each argument's
//! strings are read. Terraform reads JSON against the schema of the block it
//! decodes; these tables are that schema for every block drinfra reads.

/// How the strings of an argument's JSON value are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// String templates (`"${var.x}-a"`); object keys too.
    Template,
    /// A string holds an expression (`"aws_instance.a"`, `"list(string)"`);
    /// object keys are names or expressions.
    Expr,
    /// Literal values: a string is its own text (`variable` `default`).
    Literal,
    /// An object whose `configuration_aliases` holds expressions and whose
    /// other properties are templates (`required_providers` entries).
    RequiredProvider,
}

/// The contents of one block type's body.
#[derive(Debug)]
pub struct BodySchema {
    /// Nested block types: (name, label count, body).
    pub blocks: &'static [(&'static str, usize, &'static BodySchema)],
    /// Arguments not read as templates.
    pub args: &'static [(&'static str, Read)],
    /// How the other properties are read.
    pub rest: Rest,
}

#[derive(Debug, Clone, Copy)]
pub enum Rest {
    /// Arguments read by `read`.
    Args(Read),
    /// Properties whose value is an object are blocks with this body
    /// (azurerm's `features`); others are template arguments.
    ObjectsAreBlocks(&'static BodySchema),
    /// A resource body or one nested in it: properties the provider's
    /// schema names as nested blocks (`super::super::nested`) are blocks
    /// with the body [`NESTED`]; others are template arguments.
    ProviderBlocks,
}

impl BodySchema {
    pub fn block(&self, name: &str) -> Option<(usize, &'static BodySchema)> {
        self.blocks
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, l, b)| (*l, *b))
    }

    pub fn read(&self, name: &str) -> Read {
        self.args.iter().find(|(n, _)| *n == name).map_or(
            match self.rest {
                Rest::Args(r) => r,
                Rest::ObjectsAreBlocks(_) | Rest::ProviderBlocks => Read::Template,
            },
            |(_, r)| *r,
        )
    }
}

const fn attrs(read: Read) -> BodySchema {
    BodySchema {
        blocks: &[],
        args: &[],
        rest: Rest::Args(read),
    }
}

/// Arguments only, all templates (`locals`, `backend`, provisioners, ...).
pub static ATTRIBUTES: BodySchema = attrs(Read::Template);

static CONDITION: BodySchema = attrs(Read::Template);

static LIFECYCLE: BodySchema = BodySchema {
    blocks: &[
        ("precondition", 0, &CONDITION),
        ("postcondition", 0, &CONDITION),
    ],
    args: &[
        ("ignore_changes", Read::Expr),
        ("replace_triggered_by", Read::Expr),
    ],
    rest: Rest::Args(Read::Template),
};

/// A block nested in a resource (or in a `dynamic` block's `content`):
/// its own nested blocks are told from object arguments by the provider's
/// schema, when the loader was given one.
pub static NESTED: BodySchema = BodySchema {
    blocks: &[("dynamic", 1, &DYNAMIC)],
    args: &[],
    rest: Rest::ProviderBlocks,
};

static DYNAMIC: BodySchema = BodySchema {
    blocks: &[("content", 0, &NESTED)],
    args: &[("iterator", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static RESOURCE: BodySchema = BodySchema {
    blocks: &[
        ("lifecycle", 0, &LIFECYCLE),
        ("provisioner", 1, &NESTED),
        ("connection", 0, &ATTRIBUTES),
        ("dynamic", 1, &DYNAMIC),
        ("timeouts", 0, &ATTRIBUTES),
    ],
    args: &[("depends_on", Read::Expr), ("provider", Read::Expr)],
    rest: Rest::ProviderBlocks,
};

static VARIABLE: BodySchema = BodySchema {
    blocks: &[("validation", 0, &CONDITION)],
    args: &[("default", Read::Literal), ("type", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static OUTPUT: BodySchema = BodySchema {
    blocks: &[("precondition", 0, &CONDITION)],
    args: &[("depends_on", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static MODULE: BodySchema = BodySchema {
    blocks: &[],
    args: &[("depends_on", Read::Expr), ("providers", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static FEATURE: BodySchema = BodySchema {
    blocks: &[],
    args: &[],
    rest: Rest::ObjectsAreBlocks(&ATTRIBUTES),
};

static FEATURES: BodySchema = BodySchema {
    blocks: &[],
    args: &[],
    rest: Rest::ObjectsAreBlocks(&FEATURE),
};

static PROVIDER: BodySchema = BodySchema {
    blocks: &[("features", 0, &FEATURES)],
    args: &[],
    rest: Rest::Args(Read::Template),
};

static REQUIRED_PROVIDERS: BodySchema = attrs(Read::RequiredProvider);

static SETTINGS: BodySchema = BodySchema {
    blocks: &[
        ("required_providers", 0, &REQUIRED_PROVIDERS),
        ("backend", 1, &ATTRIBUTES),
        ("cloud", 0, &ATTRIBUTES),
        ("provider_meta", 1, &ATTRIBUTES),
    ],
    args: &[("experiments", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static MOVED: BodySchema = BodySchema {
    blocks: &[],
    args: &[("from", Read::Expr), ("to", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static IMPORT: BodySchema = BodySchema {
    blocks: &[],
    args: &[("to", Read::Expr), ("provider", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static REMOVED: BodySchema = BodySchema {
    blocks: &[
        ("lifecycle", 0, &ATTRIBUTES),
        ("provisioner", 1, &NESTED),
        ("connection", 0, &ATTRIBUTES),
    ],
    args: &[("from", Read::Expr)],
    rest: Rest::Args(Read::Template),
};

static CHECK: BodySchema = BodySchema {
    blocks: &[("assert", 0, &CONDITION), ("data", 2, &RESOURCE)],
    args: &[],
    rest: Rest::Args(Read::Template),
};

static HEALTH_CHECK: BodySchema = BodySchema {
    blocks: &[("postgres", 0, &ATTRIBUTES)],
    args: &[],
    rest: Rest::Args(Read::Template),
};

/// The top-level block types: (name, label count, body).
pub static TOP: BodySchema = BodySchema {
    blocks: &[
        ("terraform", 0, &SETTINGS),
        ("drinfra", 0, &SETTINGS),
        ("variable", 1, &VARIABLE),
        ("locals", 0, &ATTRIBUTES),
        ("output", 1, &OUTPUT),
        ("resource", 2, &RESOURCE),
        ("data", 2, &RESOURCE),
        ("ephemeral", 2, &RESOURCE),
        ("module", 1, &MODULE),
        ("provider", 1, &PROVIDER),
        ("moved", 0, &MOVED),
        ("import", 0, &IMPORT),
        ("removed", 0, &REMOVED),
        ("check", 1, &CHECK),
        ("failover_group", 1, &ATTRIBUTES),
        ("notification", 1, &ATTRIBUTES),
        ("health_check", 1, &HEALTH_CHECK),
    ],
    args: &[],
    rest: Rest::Args(Read::Template),
};
