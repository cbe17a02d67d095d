//! The conditions of a custom lens's risk rules: choice ids joined by `&&`
//! and `||`, negated by `!`, grouped by parentheses (`&&` binds tighter), or
//! `default`. ImportLens checks that a condition reads and names only the
//! question's choices; a review evaluates it against an answer.

/// Whether `condition` holds when `choice(id)` says which choices count.
/// A condition that does not read holds nowhere.
pub fn holds(condition: &str, choice: &dyn Fn(&str) -> bool) -> bool {
    let tokens = tokens(condition);
    let mut parser = Parser { tokens: &tokens, at: 0, choice };
    parser.or().filter(|_| parser.at == tokens.len()).unwrap_or(false)
}

/// Why `condition` does not read, or names a choice outside `choices`.
pub fn check(condition: &str, choices: &[&str]) -> Result<(), String> {
    if condition == "default" {
        return Ok(());
    }
    let tokens = tokens(condition);
    if let Some(unknown) = tokens.iter().find(|token| is_name(token) && !choices.contains(token)) {
        return Err(format!(
            "the condition {condition:?} names {unknown}, which is not a choice of the question"
        ));
    }
    let mut parser = Parser { tokens: &tokens, at: 0, choice: &|_| true };
    match parser.or() {
        Some(_) if parser.at == tokens.len() => Ok(()),
        _ => Err(format!(
            "the condition {condition:?} is not choices joined by && and || (with ! and parentheses)"
        )),
    }
}

fn is_name(token: &str) -> bool {
    !matches!(token, "&&" | "||" | "!" | "(" | ")")
}

/// `a && (b || !c)` → `a`, `&&`, `(`, `b`, `||`, `!`, `c`, `)`.
fn tokens(condition: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = condition.trim_start();
    while !rest.is_empty() {
        let length = if rest.starts_with("&&") || rest.starts_with("||") {
            2
        } else if rest.starts_with(['!', '(', ')']) {
            1
        } else {
            rest.find(|c: char| c.is_whitespace() || "&|!()".contains(c)).unwrap_or(rest.len()).max(1)
        };
        tokens.push(&rest[..length]);
        rest = rest[length..].trim_start();
    }
    tokens
}

struct Parser<'a> {
    tokens: &'a [&'a str],
    at: usize,
    choice: &'a dyn Fn(&str) -> bool,
}

impl Parser<'_> {
    fn next_is(&mut self, token: &str) -> bool {
        let found = self.tokens.get(self.at) == Some(&token);
        self.at += usize::from(found);
        found
    }

    fn or(&mut self) -> Option<bool> {
        let mut value = self.and()?;
        while self.next_is("||") {
            value |= self.and()?;
        }
        Some(value)
    }

    fn and(&mut self) -> Option<bool> {
        let mut value = self.unary()?;
        while self.next_is("&&") {
            value &= self.unary()?;
        }
        Some(value)
    }

    fn unary(&mut self) -> Option<bool> {
        if self.next_is("!") {
            return self.unary().map(|value| !value);
        }
        if self.next_is("(") {
            let value = self.or()?;
            return self.next_is(")").then_some(value);
        }
        let token = *self.tokens.get(self.at)?;
        self.at += 1;
        is_name(token).then(|| (self.choice)(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_join_choices_with_and_binding_tighter_than_or() {
        let chosen = |id: &str| ["a", "c"].contains(&id);
        assert!(holds("a && c", &chosen));
        assert!(!holds("a && b", &chosen));
        assert!(holds("b && a || c", &chosen), "(b && a) || c");
        assert!(!holds("b && (a || c)", &chosen));
        assert!(holds("!b && a", &chosen));
        assert!(holds("a&&c", &chosen), "no spaces needed");
        assert!(!holds("a &&", &chosen), "cut short");
        assert!(!holds("(a", &chosen));
    }

    #[test]
    fn a_condition_is_checked_against_the_questions_choices() {
        assert!(check("a && b", &["a", "b"]).is_ok());
        assert!(check("default", &[]).is_ok());
        assert!(check("a && z", &["a", "b"]).unwrap_err().contains("names z"));
        assert!(check("a b", &["a", "b"]).unwrap_err().contains("not choices joined"));
        assert!(check("", &["a"]).is_err());
    }
}
