import type { InboundSms } from '../../src/inbound/index.js';

/** One inbound Twilio SMS, as the inbound layer hands it to the workflow: the unit tests' usual message. */
export const sms: InboundSms = {
  provider: 'twilio',
  messageId: 'SM1',
  from: '+14155550101',
  to: '+15558675310',
  text: 'help',
  media: [],
};
