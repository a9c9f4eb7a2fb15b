//! Keybindings as data: one table of (context, action, keys) drives the
//! lookup, the footer hints and the `?` help overlay.
//!
//! Users override bindings in config.toml, one table per context, naming
//! an [`Action`] and one key or a list of keys:
//!
//! ```toml
//! [keys.global]
//! quit = ["q", "ctrl-q"]
//! next_screen = "tab"
//!
//! [keys.table]
//! search = "ctrl-f"
//! ```
//!
//! An override replaces that action's default keys in that context and
//! takes them from the context's other actions; every other binding stays. Key names: a single character (`"G"` is Shift-g),
//! `enter`, `esc`, `tab`, `shift-tab`, `backspace`, `up`, `down`, `left`,
//! `right`, `home`, `end`, `pgup`, `pgdn`, `space`, `f1`…`f12`, with `ctrl-`,
//! `alt-` or `shift-` in front. Contexts: `global`, `connection`, `account`,
//! `table` (the four data screens), `detail`, `connect` (the connect
//! dialog) and `confirm` (yes/no questions).

mod action;
mod combo;
mod defaults;

use serde::Deserialize;

pub use action::Action;
pub use combo::{BadKey, KeyCombo};

/// Where a key is pressed. A context's own bindings win over `Global`;
/// `Confirm` and `Connect` are modal and see only their own (and quit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    Global,
    Connection,
    Account,
    Table,
    Detail,
    Connect,
    Confirm,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Self::Global,
        Self::Connection,
        Self::Account,
        Self::Table,
        Self::Detail,
        Self::Connect,
        Self::Confirm,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Global => "global",
            Self::Connection => "connection",
            Self::Account => "account",
            Self::Table => "table",
            Self::Detail => "detail",
            Self::Connect => "connect",
            Self::Confirm => "confirm",
        }
    }

    fn is_modal(self) -> bool {
        matches!(self, Self::Connect | Self::Confirm)
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub context: Context,
    pub action: Action,
    pub keys: Vec<KeyCombo>,
    /// Shown in the footer (the rest only in `?`).
    pub hint: bool,
}

/// A line of the `?` overlay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpLine<'a> {
    /// The bindings below are this context's.
    Context(Context),
    Binding(&'a Binding),
}

/// A problem in the `[keys]` config; the app starts with the defaults for
/// that entry and shows the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("[keys]: unknown context `{0}`")]
    Context(String),
    #[error("[keys.{context}]: unknown action `{action}`")]
    Action { context: String, action: String },
    #[error("[keys.{context}] {action}: {message}")]
    Key {
        context: String,
        action: String,
        message: String,
    },
    #[error("[keys.{context}]: {action} has no key left; its keys went to other actions")]
    Unbound {
        context: String,
        action: &'static str,
    },
    #[error("[keys.{context}]: {key} is given to both {kept} and {dropped}; {kept} keeps it")]
    Clash {
        context: String,
        key: String,
        kept: String,
        dropped: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: defaults::bindings(),
        }
    }
}

impl Keymap {
    /// The defaults with `[keys]` from config.toml applied. Bad entries are
    /// skipped and reported, so a typo never keeps the app from starting.
    pub fn with_overrides(table: &toml::Table) -> (Self, Vec<KeymapError>) {
        let mut keymap = Self::default();
        let mut errors = Vec::new();
        // What the config gave, to tell a clash between two of its entries
        // from an entry taking a default's key (which is what it is for).
        let mut given: Vec<(Context, Action, KeyCombo, &str)> = Vec::new();
        // Actions the config left without keys on purpose (`quit = []`).
        let mut unbound: Vec<(Context, Action)> = Vec::new();
        for (context_name, actions) in table {
            let Ok(context) = Context::deserialize(toml::Value::String(context_name.clone()))
            else {
                errors.push(KeymapError::Context(context_name.clone()));
                continue;
            };
            let Some(actions) = actions.as_table() else {
                errors.push(KeymapError::Context(context_name.clone()));
                continue;
            };
            for (action_name, keys) in actions {
                match parse_entry(action_name, keys) {
                    Ok((action, keys)) => {
                        for &key in &keys {
                            let earlier = given
                                .iter()
                                .find(|&&(c, a, k, _)| c == context && a != action && k == key);
                            if let Some(&(_, _, _, dropped)) = earlier {
                                errors.push(KeymapError::Clash {
                                    context: context_name.clone(),
                                    key: key.to_string(),
                                    kept: action_name.clone(),
                                    dropped: dropped.to_owned(),
                                });
                            }
                            given.push((context, action, key, action_name));
                        }
                        if keys.is_empty() {
                            unbound.push((context, action));
                        }
                        keymap.set(context, action, keys);
                    }
                    Err(message) => errors.push(match message {
                        None => KeymapError::Action {
                            context: context_name.clone(),
                            action: action_name.clone(),
                        },
                        Some(message) => KeymapError::Key {
                            context: context_name.clone(),
                            action: action_name.clone(),
                            message,
                        },
                    }),
                }
            }
        }
        keymap.refill(&unbound, &mut errors);
        (keymap, errors)
    }

    /// Gives an action whose keys all went to others (a clash, or an entry
    /// taking its only key) its default keys back, those still free in its
    /// context; one left with none is reported.
    fn refill(&mut self, unbound: &[(Context, Action)], errors: &mut Vec<KeymapError>) {
        for default in defaults::bindings() {
            let (context, action) = (default.context, default.action);
            if unbound.contains(&(context, action)) {
                continue;
            }
            let taken: Vec<KeyCombo> = self
                .bindings(context)
                .filter(|b| b.action != action)
                .flat_map(|b| b.keys.iter().copied())
                .collect();
            let Some(binding) = self
                .bindings
                .iter_mut()
                .find(|b| b.context == context && b.action == action && b.keys.is_empty())
            else {
                continue;
            };
            binding.keys = default
                .keys
                .into_iter()
                .filter(|k| !taken.contains(k))
                .collect();
            if binding.keys.is_empty() {
                errors.push(KeymapError::Unbound {
                    context: context.name().to_owned(),
                    action: action.label(),
                });
            }
        }
    }

    /// Binds `keys` to `action` in `context`, taking them from the
    /// context's other actions: a key means one thing in one context.
    fn set(&mut self, context: Context, action: Action, keys: Vec<KeyCombo>) {
        for other in self
            .bindings
            .iter_mut()
            .filter(|b| b.context == context && b.action != action)
        {
            other.keys.retain(|key| !keys.contains(key));
        }
        match self
            .bindings
            .iter_mut()
            .find(|b| b.context == context && b.action == action)
        {
            Some(binding) => binding.keys = keys,
            None => self.bindings.push(Binding {
                context,
                action,
                keys,
                hint: false,
            }),
        }
    }

    /// The action `key` means in `context`: the context's own binding, then
    /// the global one (modal contexts only fall back for quitting).
    pub fn action(&self, context: Context, key: KeyCombo) -> Option<Action> {
        let find = |ctx: Context| {
            self.bindings
                .iter()
                .find(|b| b.context == ctx && b.keys.contains(&key))
                .map(|b| b.action)
        };
        match find(context) {
            Some(action) => Some(action),
            None if context == Context::Global => None,
            None if context.is_modal() => find(Context::Global).filter(|a| *a == Action::Quit),
            None => find(Context::Global),
        }
    }

    /// The first key bound to `action` in `context` (or globally), for
    /// sentences like "press c to connect".
    pub fn key_for(&self, context: Context, action: Action) -> String {
        [context, Context::Global]
            .into_iter()
            .flat_map(|ctx| self.bindings(ctx))
            .filter(|b| b.action == action)
            .find_map(|b| self.usable_key(context, b))
            .map_or_else(|| "?".to_owned(), |key| key.to_string())
    }

    /// The bindings of one context, in table order.
    pub fn bindings(&self, context: Context) -> impl Iterator<Item = &Binding> {
        self.bindings.iter().filter(move |b| b.context == context)
    }

    /// What `?` lists in `context`: its own bindings, then the global ones,
    /// each group under its name.
    pub fn help(&self, context: Context) -> Vec<HelpLine<'_>> {
        let mut contexts = vec![context];
        if context != Context::Global {
            contexts.push(Context::Global);
        }
        contexts
            .into_iter()
            .flat_map(|ctx| {
                std::iter::once(HelpLine::Context(ctx))
                    .chain(self.bindings(ctx).map(HelpLine::Binding))
            })
            .collect()
    }

    /// Footer hints for `context`: its own marked bindings, then the
    /// global ones marked for the footer, each with its first key that
    /// does what it says there (a context's binding shadows a global key).
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        let mut contexts = vec![context];
        if !context.is_modal() && context != Context::Global {
            contexts.push(Context::Global);
        }
        contexts
            .into_iter()
            .flat_map(|ctx| self.bindings(ctx))
            .filter(|b| b.hint)
            .filter_map(|b| Some((self.usable_key(context, b)?.to_string(), b.action.label())))
            .collect()
    }

    /// `binding`'s first key that means its action in `context`.
    fn usable_key(&self, context: Context, binding: &Binding) -> Option<KeyCombo> {
        binding
            .keys
            .iter()
            .copied()
            .find(|&key| self.action(context, key) == Some(binding.action))
    }
}

/// `action = "key"` or `action = ["key", …]`. `Err(None)` names an
/// unknown action, `Err(Some(message))` a bad key.
fn parse_entry(
    action_name: &str,
    keys: &toml::Value,
) -> Result<(Action, Vec<KeyCombo>), Option<String>> {
    let action =
        Action::deserialize(toml::Value::String(action_name.to_owned())).map_err(|_| None)?;
    let names: Vec<&str> = match keys {
        toml::Value::String(one) => vec![one.as_str()],
        toml::Value::Array(many) => many
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| Some("keys must be strings".to_owned()))
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(Some("expected a key or a list of keys".to_owned())),
    };
    let keys = names
        .into_iter()
        .map(|name| name.parse::<KeyCombo>().map_err(|e| Some(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((action, keys))
}

#[cfg(test)]
mod tests;
