/**
 * One handler per intent of the catalogue (dialogs/intents.ts). The type makes a missing or an
 * extra handler a compile error; what may use each intent is the catalogue's to say.
 */
import type { Handler } from './handler';
import type { IntentName } from './intents';
import { MARKETER_HANDLERS } from './marketer/handlers';
import { CUSTOMER_HANDLERS } from './customer/handlers';
import { SMALL_TALK } from './smallTalk';

export const HANDLERS: { readonly [K in IntentName]: Handler } = {
  ...MARKETER_HANDLERS,
  ...CUSTOMER_HANDLERS,
  ...SMALL_TALK,
};
