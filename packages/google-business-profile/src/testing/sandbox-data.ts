/**
 * Demo data for the sandbox: a two-location plumbing business in Colorado.
 */

/** The two locations, as Business Information fields. */
export const SANDBOX_LOCATIONS: ReadonlyArray<{ title: string; [field: string]: unknown }> = [
  {
    title: "Summit Plumbing & Drain — Boulder",
    storeCode: "SPD-BOU",
    phoneNumbers: { primaryPhone: "(303) 555-0142" },
    categories: {
      primaryCategory: { name: "categories/gcid:plumber", displayName: "Plumber" },
      additionalCategories: [
        { name: "categories/gcid:drainage_service", displayName: "Drainage service" },
      ],
    },
    storefrontAddress: {
      regionCode: "US",
      postalCode: "80301",
      administrativeArea: "CO",
      locality: "Boulder",
      addressLines: ["2450 Pearl St, Suite 3"],
    },
    websiteUri: "https://summitplumbing.example.com/boulder",
    openInfo: { status: "OPEN", canReopen: true },
  },
  {
    title: "Summit Plumbing & Drain — Longmont",
    storeCode: "SPD-LGM",
    phoneNumbers: { primaryPhone: "(720) 555-0187" },
    categories: {
      primaryCategory: { name: "categories/gcid:plumber", displayName: "Plumber" },
      additionalCategories: [
        {
          name: "categories/gcid:water_heater_installation_service",
          displayName: "Water heater installation service",
        },
      ],
    },
    storefrontAddress: {
      regionCode: "US",
      postalCode: "80501",
      administrativeArea: "CO",
      locality: "Longmont",
      addressLines: ["615 Main St"],
    },
    websiteUri: "https://summitplumbing.example.com/longmont",
    openInfo: { status: "OPEN", canReopen: true },
  },
];

interface SeedReview {
  reviewer: string;
  rating: 1 | 2 | 3 | 4 | 5;
  comment?: string;
  reply?: string;
  daysAgo: number;
}

/** Reviews per location: mostly good, a few bad, some answered, one rating-only. */
export const SANDBOX_REVIEWS: ReadonlyArray<ReadonlyArray<SeedReview>> = [
  [
    {
      reviewer: "Maria Rodriguez",
      rating: 5,
      comment: "Burst pipe at 11pm and they had someone here by midnight. Lifesavers.",
      reply: "Thanks Maria! Glad we could get there fast.",
      daysAgo: 2,
    },
    {
      reviewer: "Dave Sorensen",
      rating: 4,
      comment: "Good work on the water heater swap. Took a little longer than quoted.",
      daysAgo: 5,
    },
    {
      reviewer: "Priya Natarajan",
      rating: 5,
      comment: "Honest pricing, explained everything before starting. Will use again.",
      reply: "We appreciate you, Priya!",
      daysAgo: 9,
    },
    {
      reviewer: "Tom Becker",
      rating: 2,
      comment: "Missed the first appointment window and nobody called.",
      daysAgo: 12,
    },
    { reviewer: "Lena Park", rating: 5, daysAgo: 15 },
    {
      reviewer: "Marcus Hill",
      rating: 3,
      comment: "Fixed the leak but left a mess under the sink.",
      daysAgo: 21,
    },
    {
      reviewer: "Jen Walsh",
      rating: 5,
      comment: "Camera inspection found the root problem in our sewer line. Super thorough.",
      reply: "Thanks Jen, roots are sneaky!",
      daysAgo: 27,
    },
    {
      reviewer: "Omar Haddad",
      rating: 1,
      comment: "Charged a trip fee and said they couldn't do the job.",
      daysAgo: 33,
    },
  ],
  [
    {
      reviewer: "Kate Lindqvist",
      rating: 5,
      comment: "Tankless install was clean and on time. Great crew.",
      reply: "Enjoy the endless hot water, Kate!",
      daysAgo: 3,
    },
    {
      reviewer: "Luis Ortega",
      rating: 4,
      comment: "Solid drain cleaning, fair price.",
      daysAgo: 8,
    },
    {
      reviewer: "Beth Ramsey",
      rating: 2,
      comment: "Quote changed once they got here.",
      daysAgo: 17,
    },
    {
      reviewer: "Chris Yamamoto",
      rating: 5,
      comment: "Same-day toilet repair, very friendly tech.",
      daysAgo: 24,
    },
    { reviewer: "Ana Souza", rating: 4, daysAgo: 30 },
  ],
];

/** Posts per location. */
export const SANDBOX_POSTS: ReadonlyArray<ReadonlyArray<string>> = [
  [
    "Spring special: $79 drain cleaning for Boulder homes through the end of the month. Call to book.",
    "Freezing nights ahead — disconnect your garden hoses and open cabinet doors on exterior walls.",
    "We're hiring a licensed journeyman plumber for our Boulder team.",
  ],
  [
    "Now installing tankless water heaters in Longmont, same-week appointments available.",
    "Thank you Longmont for voting us a neighborhood favorite!",
  ],
];
