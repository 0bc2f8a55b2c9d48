#!/usr/bin/env node
// Builds demo-shop/catalog/products.json from the open DummyJSON catalog in
// ../shared/data (MIT, see LICENSE.DummyJSON beside this file). Names,
// categories, brands, prices, ratings and stock are taken as they are; each
// description is the shop's own copy, written here from the category's
// sentences and the record's facts (tags, price within its category, rating,
// stock, shipping, warranty, returns), never from DummyJSON's description.
// Images are drawn by the demo shop itself (demo-shop/src/image.ts).
// The output is deterministic: the same source gives the same file.
// Run: node demo-shop/catalog/build-catalog.mjs [output file, default products.json here]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../../shared/data/catalog/dummyjson/products.json');
if (!existsSync(source)) {
  console.error(`build-catalog: ${source} not found. It lives in ../shared/data beside the checkout.`);
  process.exit(1);
}

/** Category names as a sentence says them: `mens-shirts` → `men's shirts`. */
const CATEGORY_NAMES = {
  'home-decoration': 'home decoration',
  'kitchen-accessories': 'kitchen',
  'mens-shirts': "men's shirts",
  'mens-shoes': "men's shoes",
  'mens-watches': "men's watches",
  'mobile-accessories': 'mobile accessories',
  'skin-care': 'skin care',
  'sports-accessories': 'sports',
  'womens-bags': "women's bags",
  'womens-dresses': "women's dresses",
  'womens-jewellery': "women's jewellery",
  'womens-shoes': "women's shoes",
  'womens-watches': "women's watches",
};
const categoryName = (slug) => CATEGORY_NAMES[slug] ?? slug.replace(/-/g, ' ');

/** Titles in this catalog that name a pair or a bunch, so their sentences say "these … are". */
const PLURAL_TITLE = /\b(eggs|potatoes|onions|drinks|sneakers|trainers|cleats|glasses|sunglasses|shoes|tongs|airpods|earphones)\b/i;

/** What a grocery is, by its most specific tag: the shelf it sits on and what we say about it. */
const GROCERY_SHELVES = {
  fruits: ['fruit', 'picked ripe and packed with care'],
  vegetables: ['vegetable', 'harvested fresh and kept cool on the way to you'],
  meat: ["butcher's", 'cut fresh and kept chilled all the way to your door'],
  seafood: ['fish', 'cleaned, portioned and packed on ice'],
  dairy: ['dairy', 'kept cold from the farm to your fridge'],
  'cat food': ['pet', 'made for cats with a healthy appetite'],
  'dog food': ['pet', 'made for dogs who finish every bowl'],
  'cooking essentials': ['pantry', 'chosen for everyday frying, roasting and baking'],
  condiments: ['pantry', 'ready for spreading on toast or stirring into tea'],
  desserts: ['freezer', 'kept frozen until it reaches your door'],
  beverages: ['drinks', 'packed for the fridge, the desk or the road'],
  coffee: ['drinks', 'roasted and sealed to keep its aroma'],
  'health supplements': ['health', 'an easy addition to a post-workout routine'],
  grains: ['pantry', 'a cupboard staple for quick weeknight meals'],
  'household essentials': ['household', 'soft, strong and always worth having in the cupboard'],
};

/** What a kitchen item is for, by its first tag. */
const KITCHEN_USES = {
  'kitchen tools': 'built for daily prep and easy to rinse clean',
  drinkware: 'made for morning coffee, cold drinks and everything in between',
  'kitchen appliances': 'designed to save time on busy weeknights',
  cookware: 'made to heat evenly from the first sear to the last simmer',
  dinnerware: 'sturdy enough for every day and smart enough for guests',
  serveware: 'ready to carry snacks, drinks and dishes to the table',
};

/** What a mobile accessory does for you, by its second tag. */
const GADGET_USES = {
  'smart speakers': 'for room-filling sound and hands-free help around the house',
  'wireless earphones': 'for music and calls without a cable in the way',
  'over-ear headphones': 'for rich, detailed sound and quiet on a noisy commute',
  'wireless chargers': 'for topping up simply by setting your phone down',
  chargers: 'for quick, reliable top-ups at home or at work',
  'power banks': 'for extra battery when the day runs longer than your charge',
  smartwatches: 'for notifications, workouts and the time on your wrist',
  'phone accessories': 'for everyday protection that keeps your phone slim',
  'camera accessories': 'for steady shots and smooth video',
  'selfie accessories': 'for better-lit, better-framed selfies',
};

/** Where a piece of furniture goes, by its second tag. */
const ROOMS = { beds: 'bedroom', sofas: 'living room', 'bedside tables': 'bedroom', 'office chairs': 'home office', bathroom: 'bathroom' };

/** What kind of car, and what it is good at, by its first tag. */
const CAR_KINDS = {
  sedans: ['sedan', 'comfortable commuting and long motorway trips'],
  hatchbacks: ['hatchback', 'nimble city driving and easy parking'],
  suvs: ['SUV', 'family trips with room for all the gear'],
  minivans: ['minivan', "school runs, road trips and everyone's luggage"],
};

/** What a motorcycle is made for, by its last tag. */
const RIDES = {
  sportbikes: 'sharp handling and eager acceleration on weekend rides',
  scooters: 'easy, economical trips across town',
  motorcycles: 'a relaxed, confident ride for commuting and touring',
};

/** Sports whose tag is not how a sentence writes them. */
const SPORT_NAMES = { 'american football': 'American football' };

/** A tag the copy has no words for stops the build, rather than leaving a gap in a sentence. */
const lookup = (table, key, what) => {
  const value = table[key];
  if (value === undefined) throw new Error(`build-catalog: no ${what} written for the tag "${key}"`);
  return value;
};

/**
 * The shop's own opening sentence for each category, several per category so
 * neighbours read differently. `f` is the product as a sentence needs it (see
 * `sentenceFacts`): `f.This` opens a sentence ("This Red Lipstick from Chic
 * Cosmetics"), `f.this` sits inside one, `f.v(singular, plural)` agrees a verb.
 */
const OPENINGS = {
  beauty: [
    (f) => `${f.This} ${f.v('adds', 'add')} an easy touch of polish to an everyday make-up routine.`,
    (f) => `Keep ${f.this} in your make-up bag for quick touch-ups that last from morning meetings to evening plans.`,
    (f) => `${capitalise(withArticle(f.tags[1] ?? 'make-up'))} favourite, ${f.this} ${f.v('goes', 'go')} on smoothly and ${f.v('builds', 'build')} from subtle to bold in a few strokes.`,
    (f) => `Whether you like a natural look or a statement one, ${f.this} ${f.v('is', 'are')} easy to work with.`,
  ],
  fragrances: [
    (f) => `${f.This} ${f.v('opens', 'open')} bright and ${f.v('settles', 'settle')} into a warm, lasting trail that suits day and evening alike.`,
    (f) => `A few sprays of ${f.this} carry you from the office to dinner without a top-up.`,
    (f) => `${f.This} ${f.v('makes', 'make')} a thoughtful gift, boxed and ready to wrap.`,
    (f) => `Spray ${f.this} on pulse points and let the scent unfold slowly through the day.`,
  ],
  furniture: [
    (f) => `${f.This} ${f.v('brings', 'bring')} solid build and clean lines to the ${lookup(ROOMS, f.tags[1], 'room')}.`,
    (f) => `Made to be used every day, ${f.this} ${f.v('gives', 'give')} your ${lookup(ROOMS, f.tags[1], 'room')} a calm, finished look.`,
    (f) => `Built to last for years, ${f.this} ${f.v('suits', 'suit')} both modern and classic ${lookup(ROOMS, f.tags[1], 'room')} styles.`,
  ],
  groceries: [
    (f) => `${f.This} ${f.v('comes', 'come')} from our ${f.shelf[0]} shelf, ${f.shelf[1]}.`,
    (f) => `Add ${f.this} to your weekly shop: ${f.shelf[1]}.`,
    (f) => `Stock up on ${f.this} from the ${f.shelf[0]} aisle, ${f.shelf[1]}.`,
    (f) => `For a fridge and pantry that never run dry, keep ${f.this} on the list, ${f.shelf[1]}.`,
  ],
  'home-decoration': [
    (f) => `${f.This} ${f.v('adds', 'add')} a personal touch to a shelf, sideboard or corner that needs a lift.`,
    (f) => `Small details make a house feel like home, and ${f.this} ${f.v('is', 'are')} an easy place to start.`,
    (f) => `Style ${f.this} with a few favourite things for a room that feels lived in and looked after.`,
    (f) => `${f.This} ${f.v('brings', 'bring')} warmth and character to living rooms, hallways and bedrooms alike.`,
  ],
  'kitchen-accessories': [
    (f) => `${f.This} ${f.v('earns', 'earn')} a place in a busy kitchen, ${lookup(KITCHEN_USES, f.tags[0], 'kitchen use')}.`,
    (f) => `Cooks who like things simple reach for ${f.this}, ${lookup(KITCHEN_USES, f.tags[0], 'kitchen use')}.`,
    (f) => `Give your kitchen ${f.this}, ${lookup(KITCHEN_USES, f.tags[0], 'kitchen use')}.`,
    (f) => `${f.This} ${f.v('keeps', 'keep')} kitchen work quick and tidy, ${lookup(KITCHEN_USES, f.tags[0], 'kitchen use')}.`,
    (f) => `From weekday dinners to weekend baking, ${f.this} ${f.v('is', 'are')} ${lookup(KITCHEN_USES, f.tags[0], 'kitchen use')}.`,
  ],
  laptops: [
    (f) => `${f.This} ${f.v('pairs', 'pair')} a sharp display with enough power for work, study and a little play.`,
    (f) => `Slip ${f.this} into a bag and get a full working day done from the desk, the sofa or the train.`,
    (f) => `${f.This} ${f.v('handles', 'handle')} spreadsheets, video calls and photo edits without breaking a sweat.`,
    (f) => `Made for people who work on the move, ${f.this} ${f.v('is', 'are')} light enough to carry and quick to wake.`,
  ],
  'mens-shirts': [
    (f) => `${f.This} ${f.v('is', 'are')} cut for an easy fit that works tucked in at the office or loose at the weekend.`,
    (f) => `Pair ${f.this} with jeans or chinos for a smart-casual look that takes no thought in the morning.`,
    (f) => `Soft, breathable fabric makes ${f.this} a shirt you will reach for again and again.`,
    (f) => `${f.This} ${f.v('keeps', 'keep')} its shape wash after wash, so it looks as good next year as it does today.`,
  ],
  'mens-shoes': [
    (f) => `${f.This} ${f.v('offers', 'offer')} cushioned comfort from the first step, on the pitch or on the pavement.`,
    (f) => `Lace up ${f.this} for everyday wear with enough grip and support for a long day on your feet.`,
    (f) => `A sporty profile and a supportive sole make ${f.this} an easy choice for training days and weekends.`,
    (f) => `${f.This} ${f.v('brings', 'bring')} street style and all-day comfort together in one pair.`,
  ],
  'mens-watches': [
    (f) => `${f.This} ${f.v('keeps', 'keep')} precise time with a clean dial that reads at a glance.`,
    (f) => `Wear ${f.this} with a suit on Monday and a T-shirt on Saturday: the design suits both.`,
    (f) => `A ${f.tags[1] === 'luxury watches' ? 'luxury' : 'classic'} piece, ${f.this} ${f.v('is', 'are')} made to be worn daily and handed down one day.`,
    (f) => `Fine finishing and a sturdy case make ${f.this} a watch to keep for years.`,
  ],
  'mobile-accessories': [
    (f) => `${f.This} ${f.v('is', 'are')} made ${lookup(GADGET_USES, f.tags[1], 'gadget use')}.`,
    (f) => `Pick ${f.this} ${lookup(GADGET_USES, f.tags[1], 'gadget use')}.`,
    (f) => `Add ${f.this} to your everyday kit ${lookup(GADGET_USES, f.tags[1], 'gadget use')}.`,
    (f) => `Set up in minutes, ${f.this} ${f.v('is', 'are')} built ${lookup(GADGET_USES, f.tags[1], 'gadget use')}.`,
  ],
  motorcycle: [
    (f) => `${f.This} ${f.v('delivers', 'deliver')} ${lookup(RIDES, f.tags.at(-1), 'ride')}.`,
    (f) => `Take ${f.this} out on the open road and enjoy ${lookup(RIDES, f.tags.at(-1), 'ride')}.`,
    (f) => `Riders looking for ${lookup(RIDES, f.tags.at(-1), 'ride')} will feel at home on ${f.this}.`,
  ],
  'skin-care': [
    (f) => `${f.This} ${f.v('leaves', 'leave')} skin feeling soft, clean and cared for.`,
    (f) => `Make ${f.this} part of your daily routine for skin that feels comfortable from morning to night.`,
    (f) => `A gentle everyday formula makes ${f.this} a good fit for the whole household.`,
  ],
  smartphones: [
    (f) => `${f.This} ${f.v('puts', 'put')} a bright screen, a capable camera and a full day of battery in your pocket.`,
    (f) => `Snap, stream and message with ${f.this}, a phone that keeps up with busy days.`,
    (f) => `${f.This} ${f.v('runs', 'run')} your favourite apps smoothly and ${f.v('takes', 'take')} sharp photos in good light.`,
    (f) => `Stay connected with ${f.this}: quick to unlock, easy to hold and simple to set up.`,
    (f) => `Whether you call, scroll or shoot video, ${f.this} ${f.v('handles', 'handle')} the everyday with ease.`,
    (f) => `A dependable everyday phone, ${f.this} ${f.v('balances', 'balance')} performance, camera and battery life.`,
  ],
  'sports-accessories': [
    (f) => `${f.This} ${f.v('is', 'are')} ready for ${f.sport} practice, league nights and games in the park.`,
    (f) => `Take ${f.this} to your next ${f.sport} session and feel the difference good kit makes.`,
    (f) => `Built to take a beating, ${f.this} ${f.v('holds', 'hold')} up through season after season of ${f.sport}.`,
    (f) => `Whether you are learning ${f.sport} or play it every week, ${f.this} ${f.v('is', 'are')} a dependable choice.`,
  ],
  sunglasses: [
    (f) => `${f.This} ${f.v('shields', 'shield')} your eyes from glare with a frame that flatters most face shapes.`,
    (f) => `Slip on ${f.this} for sunny drives, beach days and city walks.`,
    (f) => `Light on the nose and easy to wear all day, ${f.this} ${f.v('is', 'are')} a summer essential.`,
  ],
  tablets: [
    (f) => `${f.This} ${f.v('gives', 'give')} you a big, bright screen for reading, streaming and sketching.`,
    (f) => `Take ${f.this} from the sofa to the train for films, notes and video calls on a screen bigger than your phone.`,
    (f) => `Light enough to hold in one hand, ${f.this} ${f.v('is', 'are')} made for browsing, reading and catching up on shows.`,
  ],
  tops: [
    (f) => `${f.This} ${f.v('is', 'are')} light, easy to wear and made for warm days out.`,
    (f) => `Dress ${f.this} up with sandals and a bag, or keep it simple for a relaxed weekend.`,
    (f) => `A flattering cut and soft fabric make ${f.this} a go-to piece for summer.`,
  ],
  vehicle: [
    (f) => `${f.This} ${f.v('is', 'are')} ${withArticle(f.car[0])} made for ${f.car[1]}.`,
    (f) => `Book a test drive of ${f.this} and see how well ${withArticle(f.car[0])} can handle ${f.car[1]}.`,
    (f) => `With a roomy cabin and a smooth ride, ${f.this} ${f.v('suits', 'suit')} ${f.car[1]}.`,
  ],
  'womens-bags': [
    (f) => `${f.This} ${f.v('carries', 'carry')} your phone, wallet and the day's essentials in style.`,
    (f) => `Roomy inside and neat outside, ${f.this} ${f.v('goes', 'go')} from the office to dinner without missing a beat.`,
    (f) => `Sling ${f.this} over your shoulder and keep everything you need within easy reach.`,
  ],
  'womens-dresses': [
    (f) => `${f.This} ${f.v('is', 'are')} made for the evenings you want to remember.`,
    (f) => `A confident cut and careful finishing make ${f.this} a standout piece for parties, dinners and events.`,
    (f) => `Pair ${f.this} with heels for a night out or with flats for an elegant day look.`,
  ],
  'womens-jewellery': [
    (f) => `${f.This} ${f.v('catches', 'catch')} the light with every turn of the head.`,
    (f) => `Add ${f.this} to a simple outfit for an instant lift of colour and sparkle.`,
    (f) => `Light and comfortable, ${f.this} ${f.v('is', 'are')} easy to wear from morning until late.`,
  ],
  'womens-shoes': [
    (f) => `${f.This} ${f.v('combines', 'combine')} a flattering shape with comfort that lasts all day.`,
    (f) => `Step out in ${f.this} for a polished finish to dresses, skirts and tailored trousers.`,
    (f) => `A cushioned insole makes ${f.this} easy to wear from morning to evening.`,
  ],
  'womens-watches': [
    (f) => `${f.This} ${f.v('pairs', 'pair')} precise timekeeping with a slim, elegant case that flatters the wrist.`,
    (f) => `Wear ${f.this} every day or save it for special occasions: it dresses up any outfit.`,
    (f) => `A refined dial and careful finishing make ${f.this} a watch to treasure.`,
  ],
};

const withArticle = (noun) => `${/^[aeiouAEIOU]|^SUV/.test(noun) ? 'an' : 'a'} ${noun}`;
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** `3 months warranty` → `three-month`, `Lifetime warranty` → `lifetime`, `No warranty` → undefined. */
function warrantyTerm(text) {
  if (!text || /^no\b/i.test(text)) return undefined;
  if (/^lifetime/i.test(text)) return 'lifetime';
  const match = /^(\d+)\s+(week|month|year)s?\b/i.exec(text);
  if (!match) throw new Error(`build-catalog: cannot read the warranty "${text}"`);
  return `${NUMBER_WORDS[Number(match[1])] ?? match[1]}-${match[2].toLowerCase()}`;
}

/** `30 days return policy` → 30, `No return policy` → undefined. */
function returnDays(text) {
  if (!text || /^no\b/i.test(text)) return undefined;
  const match = /^(\d+)\s+days?\b/i.exec(text);
  if (!match) throw new Error(`build-catalog: cannot read the return policy "${text}"`);
  return Number(match[1]);
}

/** `Ships in 3-5 business days` → `in 3 to 5 business days`, `Ships overnight` → `overnight`. */
function shippingTime(text) {
  if (!text) return undefined;
  return text.replace(/^ships\s+/i, '').replace(/(\d+)-(\d+)/, '$1 to $2');
}

/**
 * Where a price sits among its category's prices: the cheapest third is
 * "affordable", the dearest third "premium", the rest "mid".
 */
function priceTier(price, categoryPrices) {
  const below = categoryPrices.filter((p) => p < price).length;
  const share = categoryPrices.length > 1 ? below / (categoryPrices.length - 1) : 0.5;
  return share < 1 / 3 ? 'affordable' : share > 2 / 3 ? 'premium' : 'mid';
}

/** The product as the sentence templates need it. */
function sentenceFacts(p) {
  const plural = PLURAL_TITLE.test(p.title);
  const brandless = !p.brand || p.title.toLowerCase().startsWith(p.brand.toLowerCase());
  const name = `${p.title}${brandless ? '' : ` from ${p.brand}`}`;
  const tags = p.tags ?? [];
  return {
    tags,
    This: `${plural ? 'These' : 'This'} ${name}`,
    this: `${plural ? 'these' : 'this'} ${name}`,
    it: plural ? 'they' : 'it',
    v: (singular, pluralForm) => (plural ? pluralForm : singular),
    shelf: p.category === 'groceries' ? lookup(GROCERY_SHELVES, tags.at(-1), 'grocery shelf') : undefined,
    sport: p.category === 'sports-accessories' ? SPORT_NAMES[tags[1]] ?? tags[1] : undefined,
    car: p.category === 'vehicle' ? lookup(CAR_KINDS, tags[0], 'kind of car') : undefined,
  };
}

/** How shoppers rated it, in words that are honest about a low score. */
function ratingClause(rating) {
  const shown = Math.round(rating * 10) / 10;
  const score = `${shown.toFixed(1)} out of 5`;
  if (shown >= 4.5) return `a shopper favourite at ${score}`;
  if (shown >= 4) return `well rated by shoppers at ${score}`;
  if (shown >= 3) return `rated ${score} by shoppers`;
  return `given a mixed ${score} by shoppers`;
}

/** The second sentence: rating and where the price sits in the category, in one of three orders. */
function ratingSentence(p, f, tier, variant) {
  const range = `our ${categoryName(p.category)} range`;
  const rated = ratingClause(p.rating);
  const where = { affordable: `at the affordable end of ${range}`, mid: `mid-range for price in ${range}`, premium: `at the premium end of ${range}` }[tier];
  if (variant === 2) return `Priced ${tier === 'mid' ? `in the middle of ${range}` : where}, ${f.it} ${f.v('is', 'are')} ${rated}.`;
  if (variant === 0) return `${capitalise(rated)}, ${f.it} ${f.v('sits', 'sit')} ${where}.`;
  return `${capitalise(f.it)} ${f.v('sits', 'sit')} ${where} and ${f.v('is', 'are')} ${rated}.`;
}

/**
 * The third sentence: stock, shipping, warranty and returns, as far as the
 * source says. Food is not sold with a warranty, whatever the source claims.
 */
function serviceSentence(p, f) {
  const ship = shippingTime(p.shippingInformation);
  const warranty = warrantyTerm(p.warrantyInformation);
  const days = returnDays(p.returnPolicy);
  const terms =
    p.category === 'groceries' ? (days ? `can be returned within ${days} days` : 'cannot be returned')
    : warranty && days ? `${f.v('comes', 'come')} with a ${warranty} warranty and ${days}-day returns`
    : warranty ? `${f.v('comes', 'come')} with a ${warranty} warranty but cannot be returned`
    : days ? `can be returned within ${days} days but ${f.v('has', 'have')} no warranty`
    : `${f.v('has', 'have')} no warranty and cannot be returned`;
  const service = ship ? `orders ship ${ship}, and ${f.it} ${terms}` : `${f.it} ${terms}`;
  if (p.stock <= 0) return `Sold out for now; once back in stock, ${service}.`;
  if (p.stock < 10) return `Only a few are left: ${service}.`;
  return `${capitalise(service)}.`;
}

/**
 * The shop's description of one source record: the category's opening
 * (chosen by the product's place in its category, so neighbours differ),
 * then rating and price tier, then stock and service.
 */
function describe(p, placeInCategory, categoryPrices) {
  const openings = OPENINGS[p.category];
  if (!openings) throw new Error(`build-catalog: no copy written for the category "${p.category}" (product ${p.id})`);
  const f = sentenceFacts(p);
  const tier = priceTier(p.price, categoryPrices);
  const sentences = [
    openings[placeInCategory % openings.length](f),
    ratingSentence(p, f, tier, p.id % 3),
    serviceSentence(p, f),
  ];
  return sentences.join(' ');
}

const records = JSON.parse(readFileSync(source, 'utf8'));
const byCategory = new Map();
for (const p of records) byCategory.set(p.category, [...(byCategory.get(p.category) ?? []), p]);
const products = records.map((p) => {
  const peers = byCategory.get(p.category);
  return {
    id: String(p.id),
    title: p.title,
    category: p.category,
    brand: p.brand ?? '',
    price: p.price,
    rating: p.rating,
    stock: p.stock,
    // No sales data ships with the catalog: shopper ratings times review count stand in for popularity.
    popularity: Math.round(p.rating * (p.reviews?.length ?? 1) * 10),
    description: describe(p, peers.indexOf(p), peers.map((q) => q.price)),
  };
});
const out = resolve(process.argv[2] ?? join(here, 'products.json'));
writeFileSync(out, JSON.stringify(products, null, 0).replace(/\},\{/g, '},\n{') + '\n');
console.log(`build-catalog: wrote ${products.length} products to ${out}`);
