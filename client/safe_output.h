// The last line of defence between the server's strings and the user's terminal.
// Names, labels, failure reasons, worker ids and error messages come from the
// server, which may hold what an older version stored or what a worker reported;
// the views escape them (util/printable.h's Printable, in format.cc and where
// commands print them), and main() also puts SafeOutput under std::cout and
// std::cerr, so whatever a view forgets still cannot reach the terminal as a
// control sequence.
#pragma once

#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace hpsearch::client {

// A streambuf that writes through to `target`, escaping on the way:
// * kText (tables, messages): every control character but newline and tab, every
//   invisible character and every byte that is not UTF-8, as Printable() does;
// * kJson (-o json): DEL, C1 and invisible characters as JSON `\u` escapes (the
//   JSON library escapes C0 itself and refuses bytes that are not UTF-8, and
//   outside strings JSON is ASCII), so the document means the same.
// A UTF-8 sequence split across writes is held until it is whole.
class SafeOutput : public std::streambuf {
 public:
  enum class Mode { kText, kJson };
  SafeOutput(std::streambuf* target, Mode mode) : target_(target), mode_(mode) {}
  ~SafeOutput() override;

  // Writes `sequence` to the target unescaped: the CLI's own terminal control
  // (`\r\033[K`, which clears the progress line).
  void WriteRaw(std::string_view sequence);

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  void Emit(std::string_view text, bool final);

  std::streambuf* target_;
  Mode mode_;
  std::string pending_;  // the start of a UTF-8 sequence not yet whole
};

// Writes the CLI's own control sequence to `out`: unescaped through a SafeOutput,
// as it is to any other stream.
void WriteControl(std::ostream& out, std::string_view sequence);

// Puts a SafeOutput under `stream` for the life of this object.
class SafeStream {
 public:
  SafeStream(std::ostream& stream, SafeOutput::Mode mode);
  ~SafeStream();
  SafeStream(const SafeStream&) = delete;
  SafeStream& operator=(const SafeStream&) = delete;

 private:
  std::ostream& stream_;
  std::streambuf* original_;
  SafeOutput buf_;
};

}  // namespace hpsearch::client
