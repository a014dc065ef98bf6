/**
 * The label taxonomy of the local DetectLabels: every label the engine can
 * emit, named as Amazon Rekognition names it, with all its ancestors
 * (Parents), Rekognition's label categories and aliases.
 *
 * Parents are labels in their own right (Rekognition returns "Animal" next to
 * "Cat"), so every name that appears in a `parents` list has its own entry.
 * tests/local-rekognition/taxonomy.test.ts checks that closure.
 */
import type { CocoClassName } from './engine/model-classes.ts';

/** Rekognition's label categories (DetectLabels v3) that our labels fall in. */
export const LabelCategory = {
  animals: 'Animals and Pets',
  apparel: 'Apparel and Accessories',
  everyday: 'Everyday Objects',
  emotions: 'Expressions and Emotions',
  food: 'Food and Beverage',
  furniture: 'Furniture and Furnishings',
  home: 'Home and Indoors',
  kitchen: 'Kitchen and Dining',
  person: 'Person Description',
  plants: 'Plants and Flowers',
  publicSafety: 'Public Safety',
  sports: 'Sports',
  technology: 'Technology and Computing',
  text: 'Text and Documents',
  tools: 'Tools and Machinery',
  toys: 'Toys and Gaming',
  transport: 'Transport and Logistics',
  vehicles: 'Vehicles and Automotive',
} as const;

export type LabelCategoryName = (typeof LabelCategory)[keyof typeof LabelCategory];

export interface LabelDefinition {
  /** All ancestors, nearest first. */
  readonly parents: readonly string[];
  readonly categories: readonly LabelCategoryName[];
  readonly aliases: readonly string[];
}

const C = LabelCategory;
const label = (parents: readonly string[], category: LabelCategoryName, aliases: readonly string[] = []): LabelDefinition => ({
  parents,
  categories: [category],
  aliases,
});

/** Every label, keyed by its Rekognition name. */
export const labelDefinitions: Readonly<Record<string, LabelDefinition>> = {
  // People
  Person: label([], C.person, ['Human']),
  // From the face models (faces/people-labels.ts); parents and categories as Rekognition's label model 3.0 answers them.
  Head: label(['Person'], C.person),
  Face: label(['Head', 'Person'], C.person),
  Male: label(['Person'], C.person),
  Female: label(['Person'], C.person),
  Adult: label(['Person'], C.person),
  Man: label(['Adult', 'Male', 'Person'], C.person),
  Woman: label(['Adult', 'Female', 'Person'], C.person),
  Happy: label(['Face', 'Head', 'Person'], C.emotions),
  Smile: label(['Face', 'Happy', 'Head', 'Person'], C.emotions),

  // Animals
  Animal: label([], C.animals),
  Mammal: label(['Animal'], C.animals),
  Pet: label(['Animal'], C.animals),
  Canine: label(['Mammal', 'Animal'], C.animals),
  Livestock: label(['Animal'], C.animals),
  Wildlife: label(['Animal'], C.animals),
  Bird: label(['Animal'], C.animals),
  Cat: label(['Pet', 'Mammal', 'Animal'], C.animals, ['Kitten']),
  Dog: label(['Canine', 'Pet', 'Mammal', 'Animal'], C.animals, ['Puppy']),
  Horse: label(['Mammal', 'Animal'], C.animals),
  Sheep: label(['Livestock', 'Mammal', 'Animal'], C.animals),
  Cow: label(['Cattle', 'Livestock', 'Mammal', 'Animal'], C.animals),
  Cattle: label(['Livestock', 'Mammal', 'Animal'], C.animals),
  Elephant: label(['Wildlife', 'Mammal', 'Animal'], C.animals),
  Bear: label(['Wildlife', 'Mammal', 'Animal'], C.animals),
  Zebra: label(['Wildlife', 'Mammal', 'Animal'], C.animals),
  Giraffe: label(['Wildlife', 'Mammal', 'Animal'], C.animals),

  // Vehicles
  Transportation: label([], C.transport),
  Vehicle: label(['Transportation'], C.vehicles),
  Aircraft: label(['Vehicle', 'Transportation'], C.transport),
  Bicycle: label(['Vehicle', 'Transportation'], C.vehicles, ['Bike']),
  Car: label(['Vehicle', 'Transportation'], C.vehicles, ['Automobile']),
  Motorcycle: label(['Vehicle', 'Transportation'], C.vehicles, ['Motorbike']),
  Airplane: label(['Aircraft', 'Vehicle', 'Transportation'], C.transport, ['Aeroplane']),
  Bus: label(['Vehicle', 'Transportation'], C.vehicles),
  Train: label(['Vehicle', 'Transportation'], C.transport),
  Truck: label(['Vehicle', 'Transportation'], C.vehicles, ['Lorry']),
  Boat: label(['Vehicle', 'Transportation'], C.transport),

  // Street
  Light: label([], C.home),
  Sign: label(['Symbol'], C.text),
  Symbol: label([], C.text),
  'Road Sign': label(['Sign', 'Symbol'], C.transport),
  'Traffic Light': label(['Light'], C.transport),
  'Fire Hydrant': label([], C.publicSafety, ['Hydrant']),
  'Stop Sign': label(['Road Sign', 'Sign', 'Symbol'], C.transport),
  'Parking Meter': label([], C.transport),
  Bench: label(['Furniture'], C.furniture),

  // Accessories and luggage
  Accessories: label([], C.apparel),
  Bag: label(['Accessories'], C.apparel),
  Backpack: label(['Bag', 'Accessories'], C.apparel),
  Umbrella: label(['Accessories'], C.apparel),
  Handbag: label(['Bag', 'Accessories'], C.apparel, ['Purse']),
  Tie: label(['Accessories'], C.apparel, ['Necktie']),
  Baggage: label([], C.transport, ['Luggage']),
  Suitcase: label(['Baggage'], C.transport),

  // Sports and toys
  Sport: label([], C.sports),
  Toy: label([], C.toys),
  Frisbee: label(['Toy'], C.toys),
  Skiing: label(['Sport'], C.sports),
  Snowboard: label(['Sport'], C.sports),
  Ball: label(['Sport'], C.sports),
  Kite: label(['Toy'], C.toys),
  'Baseball Bat': label(['Sport'], C.sports),
  'Baseball Glove': label(['Sport'], C.sports),
  Skateboard: label(['Sport'], C.sports),
  Surfboard: label(['Sport'], C.sports),
  Racket: label(['Sport'], C.sports, ['Tennis Racket']),
  'Teddy Bear': label(['Toy'], C.toys),

  // Kitchen and food
  Cutlery: label([], C.kitchen),
  Bottle: label([], C.everyday),
  Glass: label([], C.kitchen, ['Wine Glass']),
  Cup: label([], C.kitchen, ['Mug']),
  Fork: label(['Cutlery'], C.kitchen),
  Knife: label(['Cutlery'], C.kitchen),
  Spoon: label(['Cutlery'], C.kitchen),
  Bowl: label([], C.kitchen),
  Food: label([], C.food),
  Fruit: label(['Plant', 'Food'], C.food),
  Vegetable: label(['Plant', 'Food'], C.food),
  Plant: label([], C.plants),
  Banana: label(['Fruit', 'Plant', 'Food'], C.food),
  Apple: label(['Fruit', 'Plant', 'Food'], C.food),
  Sandwich: label(['Food'], C.food),
  Orange: label(['Citrus Fruit', 'Fruit', 'Plant', 'Food'], C.food),
  'Citrus Fruit': label(['Fruit', 'Plant', 'Food'], C.food),
  Broccoli: label(['Vegetable', 'Plant', 'Food'], C.food),
  Carrot: label(['Vegetable', 'Plant', 'Food'], C.food),
  'Hot Dog': label(['Food'], C.food),
  Pizza: label(['Food'], C.food),
  Donut: label(['Sweets', 'Food'], C.food, ['Doughnut']),
  Sweets: label(['Food'], C.food),
  Cake: label(['Dessert', 'Food'], C.food),
  Dessert: label(['Food'], C.food),

  // Furniture and home
  Furniture: label([], C.furniture),
  Chair: label(['Furniture'], C.furniture),
  Couch: label(['Furniture'], C.furniture, ['Sofa']),
  'Potted Plant': label(['Plant'], C.plants, ['Houseplant']),
  Bed: label(['Furniture'], C.furniture),
  Table: label(['Furniture'], C.furniture),
  'Dining Table': label(['Table', 'Furniture'], C.furniture),
  Toilet: label([], C.home),
  Sink: label([], C.home),
  Vase: label(['Pottery'], C.home),
  Pottery: label([], C.home),
  Clock: label([], C.everyday),
  Book: label(['Publication'], C.text),
  Publication: label([], C.text),
  Scissors: label([], C.tools),
  'Hair Drier': label(['Appliance'], C.home, ['Hair Dryer']),
  Toothbrush: label(['Brush'], C.everyday),
  Brush: label([], C.everyday),

  // Appliances and electronics
  Appliance: label([], C.home),
  Electronics: label([], C.technology),
  Computer: label(['Electronics'], C.technology),
  'Computer Hardware': label(['Hardware', 'Electronics'], C.technology),
  Hardware: label(['Electronics'], C.technology),
  Monitor: label(['Screen', 'Electronics'], C.technology),
  Screen: label(['Electronics'], C.technology),
  TV: label(['Screen', 'Monitor', 'Electronics'], C.technology, ['Television']),
  Laptop: label(['Computer', 'Electronics'], C.technology, ['Notebook Computer']),
  Mouse: label(['Computer Hardware', 'Hardware', 'Electronics'], C.technology),
  'Remote Control': label(['Electronics'], C.technology),
  Keyboard: label(['Computer Hardware', 'Hardware', 'Electronics'], C.technology),
  Phone: label(['Electronics'], C.technology),
  'Mobile Phone': label(['Phone', 'Electronics'], C.technology, ['Cell Phone']),
  Microwave: label(['Appliance'], C.home),
  Oven: label(['Appliance'], C.home),
  Toaster: label(['Appliance'], C.home),
  Refrigerator: label(['Appliance'], C.home, ['Fridge']),
};

/** The Rekognition label each detector class is reported as. */
export const labelOfCocoClass: Readonly<Record<CocoClassName, string>> = {
  person: 'Person',
  bicycle: 'Bicycle',
  car: 'Car',
  motorcycle: 'Motorcycle',
  airplane: 'Airplane',
  bus: 'Bus',
  train: 'Train',
  truck: 'Truck',
  boat: 'Boat',
  'traffic light': 'Traffic Light',
  'fire hydrant': 'Fire Hydrant',
  'stop sign': 'Stop Sign',
  'parking meter': 'Parking Meter',
  bench: 'Bench',
  bird: 'Bird',
  cat: 'Cat',
  dog: 'Dog',
  horse: 'Horse',
  sheep: 'Sheep',
  cow: 'Cow',
  elephant: 'Elephant',
  bear: 'Bear',
  zebra: 'Zebra',
  giraffe: 'Giraffe',
  backpack: 'Backpack',
  umbrella: 'Umbrella',
  handbag: 'Handbag',
  tie: 'Tie',
  suitcase: 'Suitcase',
  frisbee: 'Frisbee',
  skis: 'Skiing',
  snowboard: 'Snowboard',
  'sports ball': 'Ball',
  kite: 'Kite',
  'baseball bat': 'Baseball Bat',
  'baseball glove': 'Baseball Glove',
  skateboard: 'Skateboard',
  surfboard: 'Surfboard',
  'tennis racket': 'Racket',
  bottle: 'Bottle',
  'wine glass': 'Glass',
  cup: 'Cup',
  fork: 'Fork',
  knife: 'Knife',
  spoon: 'Spoon',
  bowl: 'Bowl',
  banana: 'Banana',
  apple: 'Apple',
  sandwich: 'Sandwich',
  orange: 'Orange',
  broccoli: 'Broccoli',
  carrot: 'Carrot',
  'hot dog': 'Hot Dog',
  pizza: 'Pizza',
  donut: 'Donut',
  cake: 'Cake',
  chair: 'Chair',
  couch: 'Couch',
  'potted plant': 'Potted Plant',
  bed: 'Bed',
  'dining table': 'Dining Table',
  toilet: 'Toilet',
  tv: 'TV',
  laptop: 'Laptop',
  mouse: 'Mouse',
  remote: 'Remote Control',
  keyboard: 'Keyboard',
  'cell phone': 'Mobile Phone',
  microwave: 'Microwave',
  oven: 'Oven',
  toaster: 'Toaster',
  sink: 'Sink',
  refrigerator: 'Refrigerator',
  book: 'Book',
  clock: 'Clock',
  vase: 'Vase',
  scissors: 'Scissors',
  'teddy bear': 'Teddy Bear',
  'hair drier': 'Hair Drier',
  toothbrush: 'Toothbrush',
};

/** The definition of a label name; throws for a name outside the taxonomy (a bug, not a request error). */
export function labelDefinition(name: string): LabelDefinition {
  const definition = labelDefinitions[name];
  if (!definition) throw new Error(`label ${JSON.stringify(name)} is not in the taxonomy`);
  return definition;
}
