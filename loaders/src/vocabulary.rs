//! `vocabulary!`: an enum of fixed meanings with one wire name per value.
//!
//! Each value's name is written once, as a literal: serde (de)serialises the value by it, and
//! `as_str`, `Display` and `FromStr` use the same literal. No value's name comes from `{:?}` or a
//! serde round trip. `ALL` lists the values in declaration order, for help texts and tests.

/// Declares a vocabulary enum: `vocabulary! { /// doc  pub enum Name { /// doc  Variant = "wire", … } }`.
///
/// The enum derives `Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize,
/// Deserialize`, and gets `ALL`, `as_str`, `Display` and a `FromStr` whose error
/// ([`UnknownName`]) lists the accepted names.
#[macro_export]
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $wire)] $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            $vis const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's one wire name (API, CLI, files, search).
            $vis const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::vocabulary::UnknownName;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or_else(|| $crate::vocabulary::UnknownName {
                    given: s.to_owned(),
                    what: stringify!($name),
                    known: $name::ALL.iter().map(|v| v.as_str()).collect(),
                })
            }
        }
    };
}

/// A name that is not one of a vocabulary's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {given:?}; expected one of: {}", known.join(", "))]
pub struct UnknownName {
    /// What was given.
    pub given: String,
    /// The vocabulary's type name.
    pub what: &'static str,
    /// The accepted names.
    pub known: Vec<&'static str>,
}

#[cfg(test)]
mod tests {
    vocabulary! {
        /// A test vocabulary.
        pub(crate) enum Colour {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark-blue",
        }
    }

    #[test]
    fn one_name_for_serde_as_str_display_and_parsing() {
        for c in Colour::ALL {
            let json = serde_json::to_string(c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
            assert_eq!(serde_json::from_str::<Colour>(&json).unwrap(), *c);
            assert_eq!(c.to_string().parse::<Colour>().unwrap(), *c);
        }
        assert_eq!(Colour::DarkBlue.as_str(), "dark-blue");
        let e = "darkblue".parse::<Colour>().unwrap_err();
        assert_eq!(e.to_string(), "unknown Colour \"darkblue\"; expected one of: red, dark-blue");
    }
}
