// Lets TypeScript import SVG files as strings (the icon).
declare module '*.svg' {
  const value: string;
  export default value;
}
