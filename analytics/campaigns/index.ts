/** Campaigns: audiences, control groups, uplift and the service the dialogs and CLI call. */
export {
  previewAudience,
  createCampaign,
  cancelCampaign,
  campaignReport,
  listCampaigns,
  CampaignValidationError,
} from './service';
export type { AudienceFilter, AudiencePreview, CampaignDraft, CampaignOutcome, ArmOutcome } from './service';
export { matchesAudience, parseAudience, audienceProblems } from './audience';
export { assignArm, controlDraw } from './controlGroup';
export {
  estimateUplift,
  wilsonInterval,
  newcombeInterval,
  waldInterval,
  type UpliftEstimate,
} from './uplift';
export {
  suppressionReason,
  DEFAULT_SUPPRESSION_RULES,
  type SkipReason,
  type SuppressionRules,
} from './suppression';
