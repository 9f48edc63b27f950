/**
 * Message templates for the demo workspace. `{slot}` placeholders are filled per conversation by
 * demo.generator.ts, so one booking reference or station stays the same across a thread.
 * Pairing: when replies has as many entries as openers, replies[i] answers openers[i]; likewise
 * resolutions[j] answers followUps[j]. Otherwise they are picked at random.
 * Slots: first, agent, booking, order, from, to, station, time, train, amount, product, product2, days,
 * minutes, device, appVersion, weekday, coach, seat, platformNo, bag, last4, caseRef.
 */
import { COMPLAINTS } from "./demo.complaints.ts";

export type DemoIntent =
  | "question"
  | "late-delivery"
  | "wrong-item"
  | "refund"
  | "app-crash"
  | "delay"
  | "lost-bag"
  | "double-charge"
  | "travelling-today"
  | "safety"
  | "suggestion"
  | "praise"
  | "foreign"
  | "spam"
  | "html-paste";

export type Tone = "negative" | "neutral" | "positive";

export interface Scenario {
  intent: DemoIntent;
  /** Relative frequency; 0 means only placed on purpose. */
  weight: number;
  tone: Tone;
  urgent?: boolean;
  openers: readonly string[];
  /** Our first answer (greeting and signature are added by the generator). */
  replies: readonly string[];
  /** The person's second message: details, a push-back, a new question. */
  followUps: readonly string[];
  /** Our second answer, usually the resolution. */
  resolutions: readonly string[];
}

export const SCENARIOS: readonly Scenario[] = [
  {
    intent: "question",
    weight: 22,
    tone: "neutral",
    openers: [
      "Can I take a folding bike on the {time} from {from} to {to}, or does it need a reservation?",
      "Quick question: does the 16-25 Railcard work on the {from}–{to} route on weekends?",
      "Is there step-free access at {station}? Travelling with my mum who uses a wheelchair on {weekday}.",
      "How much luggage am I allowed on the Coastline Pass? Two suitcases + a backpack ok?",
      "Can I change my booking {booking} to a later train without paying again?",
      "Are dogs allowed on your trains? Small one, fits in a carrier 🐶",
      "Does the {time} {from} to {to} have a quiet coach?",
      "what's the latest I can cancel {booking} and still get money back?",
      "Do you do group discounts? We're 12 people going from {from} to {to} in June",
      "Where do I find the receipt for {booking}? Need it for my expenses claim",
      "Is the {from}–{to} line running this {weekday}? Heard something about engineering works",
      "Can I use my {product} on a train that's run by a partner operator?",
    ],
    replies: [
      "Folding bikes go free as long as they're folded; full-size bikes need a free reservation in the app under 'Extras'.",
      "Yes, it's valid on that route every day, weekends included. Just keep the card with you for the ticket check.",
      "{station} is step-free from the main entrance. If you book Passenger Assist at least 2 hours ahead, staff will meet you on the platform.",
      "You can take up to 2 large cases and 1 small bag free, so you're fine.",
      "Yes: you can change {booking} for free up to 15 minutes before departure under 'My trips' → 'Change'. A price difference may apply.",
      "Small dogs in a carrier travel free! Larger dogs on a lead need a €5 dog ticket.",
      "It does: coach {coach} is the quiet coach on that service.",
      "You can cancel {booking} for a full refund until 18:00 the day before you travel, minus a €2 admin fee.",
      "We do! Groups of 10 or more get 30% off. Book through the group form on our website and we'll hold the seats for 48 hours.",
      "Open 'My trips', tap the trip for {booking} and then 'Receipt'. It's also attached to your confirmation email.",
      "It is running, but buses replace trains between {station} and {to} after 22:00 because of engineering works.",
      "Yes, the {product} is accepted on all partner trains on our network. Only the sleeper services are excluded.",
    ],
    followUps: [
      "Great, and does that apply to the return too?",
      "Thanks! And if the train is cancelled do I get a refund automatically?",
      "Ok. What if I miss the connection at {station}?",
      "I can't find that in the app, I'm on version {appVersion}",
      "perfect, one more: can I bring food on board?",
    ],
    resolutions: [
      "Yes, same rules for the return. Have a great trip!",
      "If we cancel, the refund goes back to your card automatically within 5 working days. No need to ask.",
      "If you miss a connection because of us, just take the next train; your ticket stays valid.",
      "In {appVersion} it's under 'My trips' → tap the trip → 'Add extras'. We're moving it somewhere more obvious soon!",
      "Of course, food and drinks are welcome. The buffet car is open until 21:00 on most long-distance trains.",
    ],
  },
  ...COMPLAINTS,
  {
    intent: "suggestion",
    weight: 7,
    tone: "neutral",
    openers: [
      "Suggestion: show the coach number on the seat map in the app. Always end up walking the whole platform",
      "Would love more power sockets on the regional trains. Half of them don't work",
      "Idea: let us save a favourite route so we don't type {from} → {to} every single morning",
      "Please bring back the quiet coach on the {time}. It was the best part of my commute",
      "It would be great if the app had a dark mode. Checking train times at 5am burns my eyes 😅",
      "Could you add bike spaces to the live availability? Hard to plan trips with a bike",
      "Why not let season ticket holders pause the ticket when they go on holiday?",
    ],
    replies: [
      "Love this idea, thank you! I've shared it with our app team.",
      "Thanks for the suggestion. You're not the first to ask, and I've added your vote to the request.",
      "Great point. I'll pass it on to the fleet team who plan the refurbishment.",
    ],
    followUps: ["Thanks! Any idea when?", "👍", "And fix the wifi while you're at it 😉"],
    resolutions: [
      "No date yet, but it's on the list for the next big release.",
      "🙌",
      "Noted, I'll add that to the feedback too!",
    ],
  },
  {
    intent: "praise",
    weight: 9,
    tone: "positive",
    openers: [
      "Huge thanks to the conductor on the {time} from {from}, helped my grandma with her bags all the way to the taxi ❤️",
      "First time on the night train to {to} and wow. Clean, quiet, great breakfast. Well done!",
      "Shout out to the staff at {station} who found my phone in 10 minutes. Legends 🙌",
      "Just want to say the new app is so much better. Booked {from} → {to} in under a minute",
      "Train on time, coffee hot, view amazing. Perfect morning, thanks Northwind 🚆",
      "The lady at the {station} ticket office sorted my messed-up booking with a smile. Please tell her thanks!",
      "Been commuting {from}–{to} for 10 years and the service this year is the best I remember",
    ],
    replies: [
      "Thank you so much for taking the time to tell us! I'll make sure the team at {station} hears about it.",
      "This made our day 😊 Passing it on to the crew!",
      "Thanks for the kind words! Enjoy your trip to {to}.",
    ],
    followUps: ["❤️", "You're welcome! Keep it up"],
    resolutions: ["💚", "We will!"],
  },
  {
    intent: "foreign",
    weight: 4,
    tone: "neutral",
    openers: [
      "Hallo, kann ich mein Ticket {booking} noch auf morgen umbuchen? Danke!",
      "Mein Zug nach {to} hat {minutes} Minuten Verspätung. Bekomme ich eine Entschädigung?",
      "Hola, ¿puedo llevar mi bicicleta en el tren de las {time} a {to}?",
      "Bonjour, mon train {train} est annulé. Est-ce que mon billet est valable sur le suivant ?",
      "Olá, comprei o bilhete {booking} duas vezes por engano. Podem devolver um?",
      "Ciao, il treno delle {time} per {to} ha la carrozza silenziosa?",
    ],
    replies: [
      "Thanks for your message! I'm answering in English, I hope that's ok: could you DM us your booking reference so I can help?",
      "Sorry, I only speak English, but I've passed your message to my colleague who speaks your language. She'll answer shortly.",
    ],
    followUps: ["Yes ok, {booking}", "Thank you, no problem"],
    resolutions: [
      "All sorted for {booking}: you'll get the confirmation by email. Have a good trip!",
      "You're welcome! Gute Reise / buen viaje / bon voyage 🚆",
    ],
  },
  {
    intent: "spam",
    weight: 5,
    tone: "positive",
    openers: [
      "🚀🚀 Turn €250 into €25,000 in 7 days with our crypto signals!! DM me now, only 3 spots left 💰",
      "Check out my channel for the best train videos!!! Subscribe and I sub back 🔥🔥",
      "follow for follow? 🙏 f4f l4l",
      "Hey there 😘 I saw your profile and I think you're cute, message me on my page",
      "FREE €500 gift card for the first 100 people!! Click the link in bio 🎁🎁🎁",
      "Earn $3,000 a week from home, no experience needed. Ask me HOW 💸",
      "New token launching tonight 🌙 100x guaranteed, don't miss it, link in my profile",
    ],
    replies: [],
    followUps: [],
    resolutions: [],
  },
  {
    // A person pasting what their browser showed them: proves the workspace renders text as text.
    intent: "html-paste",
    weight: 0,
    tone: "negative",
    openers: [
      "Your booking page just showed me this instead of the payment form:\n\n<script>alert(1)</script>\n<h1>502 Bad Gateway</h1>\n\nIs the site down? I need to book for tomorrow.",
      "Tried to download the PDF for {booking} and got a page with only this on it: <img src=x onerror=alert(1)> and nothing else. Is my ticket valid?",
      'After paying, the confirmation page said:\n<div class="error">Session expired</div><iframe src="javascript:alert(\'xss\')"></iframe>\nDid the payment of {amount} go through or not??',
    ],
    replies: [
      "Sorry about that! We had a problem with one of our web servers this morning. Could you send your booking reference or the email you booked with?",
      "Thanks for sending what you saw, that helps a lot. I've forwarded it to our web team. Let me check your booking.",
    ],
    followUps: ["It's {booking}", "I booked with this email address, nothing arrived yet"],
    resolutions: [
      "Your payment went through once and {booking} is confirmed; I've resent the tickets. Sorry for the scare!",
      "The page is fixed now. Your ticket for {booking} is valid, and the PDF downloads again.",
    ],
  },
];

export const CHASERS: readonly string[] = [
  "Hello?? Anyone there?",
  "Still waiting for an answer on this",
  "Any update? 😕",
  "It's been hours. Is anyone reading these?",
  "Bumping this, still no reply",
  "??",
];

export const THANKS: readonly string[] = [
  "Thank you so much, that really helped!",
  "Brilliant, thanks {agent} 🙏",
  "Sorted! Thanks for the quick help",
  "ok thanks",
  "Appreciate it, thank you!",
  "Thanks, you've been very helpful. Much better than last time!",
  "Got it, thanks a lot 😊",
  "Thank you! Finally 🙌",
];

export const CLOSINGS: readonly string[] = [
  "You're welcome, {first}! Have a good trip.",
  "Glad we could help. Safe travels!",
  "Any time. Enjoy your journey 🚆",
];

export const GREETINGS: readonly string[] = [
  "Hi {first}! ",
  "Hello {first}! ",
  "Hey {first}! ",
  "Hi {first}. ",
  "",
];

/** Added to the end of some inbound messages, by tone. */
export const FLOURISH: Record<Tone, readonly string[]> = {
  negative: [" 😡", " 😤", " 🙄", " 😞", "!!", " Seriously."],
  neutral: [" 🙏", " Thanks!", " Cheers", " thx"],
  positive: [" 😊", " 🙌", " 💚", " 🚆"],
};

export const SLOT_VALUES = {
  stations: [
    "Amsterdam Centraal",
    "Antwerp Central",
    "Bergen",
    "Bologna Centrale",
    "Bristol Temple Meads",
    "Brussels Midi",
    "Cologne Hbf",
    "Copenhagen Central",
    "Dublin Heuston",
    "Edinburgh Waverley",
    "Gothenburg",
    "Hamburg Hbf",
    "Lille Europe",
    "Lisbon Oriente",
    "Lyon Part-Dieu",
    "Malmö",
    "Milan Centrale",
    "Munich Hbf",
    "Oslo S",
    "Porto Campanhã",
    "Prague hl.n.",
    "Rotterdam Centraal",
    "Stockholm Central",
    "Utrecht Centraal",
    "Vienna Hbf",
    "York",
  ],
  products: [
    "16-25 Railcard",
    "Senior Railcard",
    "Family & Friends Railcard",
    "annual season ticket",
    "monthly season ticket",
    "Coastline Pass",
    "7-day Explorer Pass",
    "smartcard",
    "Two Together Railcard",
  ],
  devices: [
    "iPhone 12",
    "iPhone 13",
    "iPhone 15",
    "Pixel 7",
    "Pixel 8",
    "Galaxy S21",
    "Galaxy A54",
    "Fairphone 5",
  ],
  bags: [
    "black backpack",
    "blue suitcase",
    "grey laptop bag",
    "red tote bag",
    "green rucksack",
    "brown leather holdall",
    "child's scooter",
  ],
  weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
} as const;
