package dev.portcullis.aspnet.imports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 4180 as the import reads it: quoting, line breaks, line numbers, and malformed quoting refused. */
class CsvTest {

  private static List<Csv.Record> read(String text) throws IOException, Csv.MalformedException {
    return Csv.read(new StringReader(text));
  }

  @Test
  void plainRecords_splitOnCommas_withCrLfOrLf() throws Exception {
    List<Csv.Record> records = read("a,b,c\r\n1,,3\n");

    assertThat(records)
        .containsExactly(
            new Csv.Record(1, List.of("a", "b", "c")), new Csv.Record(2, List.of("1", "", "3")));
  }

  @Test
  void quotedFields_holdCommasQuotesAndLineBreaks_andLinesCountThem() throws Exception {
    List<Csv.Record> records =
        read("name,note\r\n\"Adams, Alice\",\"said \"\"hi\"\"\r\nthen left\"\r\nbob,\"\"\r\n");

    assertThat(records)
        .containsExactly(
            new Csv.Record(1, List.of("name", "note")),
            new Csv.Record(2, List.of("Adams, Alice", "said \"hi\"\r\nthen left")),
            new Csv.Record(4, List.of("bob", "")));
  }

  @Test
  void lastRecord_withoutALineBreak_andATrailingEmptyField() throws Exception {
    assertThat(read("a,b\n1,"))
        .containsExactly(new Csv.Record(1, List.of("a", "b")), new Csv.Record(2, List.of("1", "")));
  }

  @Test
  void byteOrderMark_andBlankLines_areSkipped() throws Exception {
    List<Csv.Record> records = read("\uFEFFa,b\n\n1,2\r\n\r\n");

    assertThat(records)
        .containsExactly(
            new Csv.Record(1, List.of("a", "b")), new Csv.Record(3, List.of("1", "2")));
  }

  @Test
  void bareCarriageReturns_endRecordsToo() throws Exception {
    assertThat(read("a\r1\r"))
        .containsExactly(new Csv.Record(1, List.of("a")), new Csv.Record(2, List.of("1")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a,b\n1,zz\"zz\n", // a quote inside an unquoted field
        "a,b\n1,\"zz\"zz\n", // text after a closing quote
        "a,b\n1,\"zz\" \n", // even a space
        "a,b\n1,\"zz\n2,3\n", // an open quote swallowing the rest
      })
  void malformedQuoting_isRefused_atItsLine_withoutQuotingTheInput(String text) {
    assertThatThrownBy(() -> read(text))
        .isInstanceOf(Csv.MalformedException.class)
        .hasMessageStartingWith("line 2: ")
        .hasMessageNotContaining("zz")
        .satisfies(e -> assertThat(((Csv.MalformedException) e).line()).isEqualTo(2));
  }

  @Test
  void overlongField_isRefused() {
    String text = "a\n" + "x".repeat(Csv.MAX_FIELD_LENGTH + 1) + "\n";

    assertThatThrownBy(() -> read(text))
        .isInstanceOf(Csv.MalformedException.class)
        .hasMessageContaining("longer than");
    String quoted = "a\n\"" + "x".repeat(Csv.MAX_FIELD_LENGTH + 1) + "\"\n";
    assertThatThrownBy(() -> read(quoted)).isInstanceOf(Csv.MalformedException.class);
  }

  @Test
  void fieldOfExactlyTheLimit_isRead() throws Exception {
    String field = "x".repeat(Csv.MAX_FIELD_LENGTH);

    assertThat(read("a\n" + field + "\n").get(1).fields()).containsExactly(field);
  }
}
