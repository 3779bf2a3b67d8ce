// Express 4, installed beside Express 5 as `express4` (npm:express@4) for the relay's tests: typed as Express 5, whose
// surface those tests use (express(), use, post, and the body parsers) is Express 4's too.
declare module 'express4' {
  import express from 'express'
  export default express
}
