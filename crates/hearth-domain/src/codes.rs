//! Coded values: closed lists such as organisation kinds and professions. Each value has a stable
//! code (stored in the database and used in URLs and APIs) and a label a clinician reads. The
//! `coded_enum!` macro writes the same three conversions for every list, so they cannot drift.

/// Declares an enum of coded values with `code()`, `label()`, `from_code()` and `ALL`.
#[macro_export]
macro_rules! coded_enum {
    (
        $(#[$doc:meta])*
        pub enum $name:ident {
            $( $(#[$vdoc:meta])* $variant:ident => ($code:literal, $label:literal), )+
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
        }

        impl $name {
            /// Every value, in the order they are offered to users.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stable code, as stored and exchanged.
            pub fn code(self) -> &'static str {
                match self { $( $name::$variant => $code, )+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $( $name::$variant => $label, )+ }
            }

            /// The value with this code, if there is one.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $( $code => Some($name::$variant), )+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Serialised as its stable code.
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        concat!("'{}' is not a code of ", stringify!($name)),
                        code
                    ))
                })
            }
        }
    };
}
