import helpJson from './templates/help.json';
import welcomeJson from './templates/welcome.json';
import { defineTemplate } from './render';

/** Mover's retirement note (seeds 001 to 003), shown on the welcome, help and picker cards. */
export interface RetirementNoticeData {
  text: string;
  links: { title: string; url: string }[];
}

/** Data of the help card; `hint` is shown above it when the bot did not understand a message. */
export interface HelpCardData {
  title: string;
  hint: string;
  inactivityDays: number;
  commands: { usage: string; description: string }[];
  connectorGroups: { title: string; types: { id: string; name: string; summary: string }[] }[];
  retirement: RetirementNoticeData;
}

/** Data of the card posted once when the bot is installed in a conversation. */
export interface WelcomeCardData {
  greeting: string;
  scopeTip: string;
  retirement: RetirementNoticeData;
}

export const helpCard = defineTemplate<HelpCardData>('help', helpJson);
export const welcomeCard = defineTemplate<WelcomeCardData>('welcome', welcomeJson);
