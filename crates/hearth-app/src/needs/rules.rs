//! The trigger rules as administrators keep them: each rule with every version, and how each
//! version's suggestions were answered (to measure usefulness); an edit saves a new version.

use hearth_domain::audit::AuditAction;
use hearth_domain::trigger::{self, Rule, RuleDraft, Usefulness};

use crate::{Actor, App, AppError};

const RESOURCE: &str = "PlanDefinition";

/// One rule: the version in force first, then the older ones, each with its usefulness.
#[derive(Debug, Clone)]
pub struct RuleHistory {
    pub versions: Vec<(Rule, Usefulness)>,
}

impl RuleHistory {
    /// The version in force.
    pub fn current(&self) -> Option<&Rule> {
        self.versions.first().map(|(r, _)| r)
    }
}

/// The trigger rules page.
#[derive(Debug, Clone)]
pub struct TriggerAdmin {
    pub rules: Vec<RuleHistory>,
    /// The administrator may change the rules (see `may_change_rules`).
    pub may_edit: bool,
}

/// The rules apply to every team in the region, so they are changed only by administrators who
/// look after a specialist palliative care service or hospice — the clinical owners of referral
/// to specialist care — or an organisation that includes one.
async fn may_change_rules(
    tx: &mut hearth_store::Tx,
    root: &hearth_domain::OrganisationId,
) -> Result<bool, AppError> {
    use hearth_domain::organisation::OrganisationKind as K;
    let scope = crate::admin::scope_of(tx, root).await?;
    Ok(scope.all.iter().any(|o| {
        scope.ids.contains(&o.id) && matches!(o.kind, K::SpecialistPalliativeCare | K::Hospice)
    }))
}

impl App {
    /// Every rule with its versions and how each version's suggestions were answered.
    pub async fn admin_triggers(&self, actor: &Actor) -> Result<TriggerAdmin, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Read, RESOURCE)
            .await?;
        let mut tx = self.store.begin_read().await?;
        let may_edit = may_change_rules(&mut tx, &root).await?;
        let versions = tx.trigger_rule_versions().await?;
        let suggestions = tx.all_suggestions().await?;
        drop(tx);
        let mut rules: Vec<RuleHistory> = Vec::new();
        for rule in versions {
            let used = trigger::usefulness(
                suggestions
                    .iter()
                    .filter(|s| s.rule_id == rule.id && s.rule_version == rule.version),
            );
            match rules.last_mut() {
                Some(h) if h.versions.first().is_some_and(|(r, _)| r.id == rule.id) => {
                    h.versions.insert(0, (rule, used));
                }
                _ => rules.push(RuleHistory {
                    versions: vec![(rule, used)],
                }),
            }
        }
        Ok(TriggerAdmin { rules, may_edit })
    }

    /// Saves an edit of rule `id` as its next version, or a new rule when `id` is None.
    pub async fn admin_save_rule(
        &self,
        actor: &Actor,
        id: Option<&str>,
        draft: RuleDraft,
    ) -> Result<Rule, AppError> {
        let root = self
            .require_administrator(actor, AuditAction::Update, RESOURCE)
            .await?;
        let now = self.now();
        let mut tx = self.store.begin_write().await?;
        if !may_change_rules(&mut tx, &root).await? {
            return Err(self
                .refuse(
                    Some(tx),
                    actor,
                    AuditAction::Update,
                    RESOURCE,
                    id,
                    "The trigger rules apply to every team in the region: they are changed by the administrators of the specialist palliative care services. Ask them, with the change and its reason."
                        .to_owned(),
                )
                .await);
        }
        let current = tx.trigger_rules().await?;
        let (rule_id, previous) = match id {
            Some(id) => {
                let previous = current.into_iter().find(|r| r.id == id).ok_or_else(|| {
                    AppError::NotFound("There is no such trigger rule.".to_owned())
                })?;
                (id.to_owned(), Some(previous))
            }
            None => (self.ids.new_id(), None),
        };
        let rule = draft.check(&rule_id, previous.as_ref(), &actor.practitioner_id, now)?;
        if !tx.insert_trigger_rule(&rule).await? {
            return Err(AppError::Conflict(
                "Another administrator saved this rule a moment ago: reload the page to see their version."
                    .to_owned(),
            ));
        }
        self.audit_administration(
            &mut tx,
            actor,
            if previous.is_some() {
                AuditAction::Update
            } else {
                AuditAction::Create
            },
            (RESOURCE, &rule.id, rule.version),
        )
        .await?;
        tx.commit().await?;
        Ok(rule)
    }
}
