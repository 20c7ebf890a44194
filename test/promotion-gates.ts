/** Promotion gates that pass: every plan filled in. */
export const promotionGates = {
  rolloutPlan: "Canary 10% for a day, then all agents.",
  rollbackPlan: "Re-pin the previous version from the catalog.",
  killSwitchPlan: "Server kill switch owned by the on-call reviewer.",
};
