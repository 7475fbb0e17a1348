package dev.portcullis.examples.portal;

import dev.portcullis.user.InMemoryUserDirectory;
import dev.portcullis.user.PasswordHasher;
import dev.portcullis.user.PortalUser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The demo portal's organisations, accounts, reports and care-service directory. Everything here is invented.
 *
 * <p>Accounts (password {@code <name>-demo-pass}): {@code alice} (Riverside Care, PROVIDER), {@code bob} (Hillview
 * Homes, PROVIDER), {@code carol} (the council, COUNCIL_OFFICER: sees every organisation's reports) and {@code dave}
 * (Riverside Care, but without an email address, so the portal refuses him at login).
 */
final class DemoData {
  /** The role that may see every organisation's reports. */
  static final String COUNCIL_OFFICER = "COUNCIL_OFFICER";

  static final String PROVIDER = "PROVIDER";

  /** The terms-of-use version a login accepts. */
  static final String TERMS_VERSION = "2026-01";

  static final Organisation RIVERSIDE = new Organisation("riverside", "Riverside Care");
  static final Organisation HILLVIEW = new Organisation("hillview", "Hillview Homes");
  static final Organisation COUNCIL = new Organisation("council", "Westmoor Council");

  private static final Map<String, Organisation> ORGANISATIONS =
      Map.of(RIVERSIDE.handle(), RIVERSIDE, HILLVIEW.handle(), HILLVIEW, COUNCIL.handle(), COUNCIL);

  /** Demo accounts by username. The password of each is {@code <username>-demo-pass}. */
  static final Map<String, PortalUser> ACCOUNTS = Map.of(
      "alice",
          new PortalUser(
              "u-1001",
              "Alice Adams",
              "alice@riverside.example",
              Set.of(PROVIDER),
              RIVERSIDE.handle(),
              true,
              ""),
      "bob",
          new PortalUser(
              "u-1002",
              "Bob Brown",
              "bob@hillview.example",
              Set.of(PROVIDER),
              HILLVIEW.handle(),
              true,
              ""),
      "carol",
          new PortalUser(
              "u-1003",
              "Carol Clark",
              "carol@westmoor.example",
              Set.of(COUNCIL_OFFICER),
              COUNCIL.handle(),
              true,
              ""),
      "dave",
          new PortalUser(
              "u-1004", "Dave Dunn", "", Set.of(PROVIDER), RIVERSIDE.handle(), true, ""));

  static final List<Report> REPORTS = List.of(
      new Report(
          "101",
          RIVERSIDE.handle(),
          "Annual quality review",
          "2025",
          "Riverside Care's home-care service meets the council's quality standard.",
          List.of(
              "Visits started on time in 96% of cases.",
              "Care plans were reviewed every six months.",
              "Two complaints, both resolved within 20 days.")),
      new Report(
          "102",
          RIVERSIDE.handle(),
          "Staff training audit",
          "Autumn 2025",
          "Mandatory training is up to date for most staff; medication training needs attention.",
          List.of(
              "Safeguarding training: 100% complete.", "Medication administration: 81% complete.")),
      new Report(
          "103",
          RIVERSIDE.handle(),
          "Contract monitoring visit",
          "January 2026",
          "No concerns found during the visit.",
          List.of("Rotas and visit logs matched.", "Records were complete.")),
      new Report(
          "201",
          HILLVIEW.handle(),
          "Annual quality review",
          "2025",
          "Hillview Homes' residential service meets the standard, with one recommendation.",
          List.of(
              "Activities programme is varied and well attended.",
              "Recommendation: record fluid intake more consistently.")),
      new Report(
          "202",
          HILLVIEW.handle(),
          "Fire safety inspection",
          "November 2025",
          "Fire doors and alarms were in working order.",
          List.of("Evacuation drill held within the last quarter.")),
      new Report(
          "203",
          HILLVIEW.handle(),
          "Contract monitoring visit",
          "February 2026",
          "Staffing levels were below plan on two night shifts.",
          List.of("Provider to report night staffing monthly until June 2026.")));

  static final List<CareService> SERVICES = List.of(
      new CareService(
          "Riverside Home Care",
          "Home care",
          "Riverside",
          RIVERSIDE.name(),
          "Help at home with washing, dressing, meals and medication, seven days a week."),
      new CareService(
          "Riverside Night Support",
          "Home care",
          "Riverside",
          RIVERSIDE.name(),
          "Overnight visits and a night-time response service."),
      new CareService(
          "Hillview House",
          "Residential home",
          "Hillview",
          HILLVIEW.name(),
          "A 40-bed residential care home with a garden and a day room."),
      new CareService(
          "Hillview Court",
          "Nursing home",
          "Hillview",
          HILLVIEW.name(),
          "Nursing care for people with complex health needs, including dementia."),
      new CareService(
          "Westmoor Day Centre",
          "Day service",
          "Westmoor",
          COUNCIL.name(),
          "Daytime activities, lunch and transport for older people."),
      new CareService(
          "Westmoor Carers' Hub",
          "Carer support",
          "Westmoor",
          COUNCIL.name(),
          "Advice, breaks and training for unpaid carers."),
      new CareService(
          "Meadow Lane Supported Living",
          "Supported living",
          "Riverside",
          RIVERSIDE.name(),
          "Flats with on-site support for adults with learning disabilities."),
      new CareService(
          "Hillview Reablement Team",
          "Reablement",
          "Hillview",
          HILLVIEW.name(),
          "Up to six weeks of short-term home care after a stay in hospital."));

  private DemoData() {}

  /** The demo accounts in a directory, passwords hashed now with {@code hasher}. */
  static InMemoryUserDirectory users(PasswordHasher hasher) {
    InMemoryUserDirectory users = new InMemoryUserDirectory(hasher);
    ACCOUNTS.forEach(
        (username, user) -> users.add(username, (username + "-demo-pass").toCharArray(), user));
    return users;
  }

  /** The organisation's readable name; the handle itself if it is not a demo organisation. */
  static String organisationName(String handle) {
    Organisation o = ORGANISATIONS.get(handle);
    return o == null ? handle : o.name();
  }

  static Optional<Report> report(String id) {
    return REPORTS.stream().filter(r -> r.id().equals(id)).findFirst();
  }

  /** Services matching every word of {@code query} (case-insensitive); none for a blank query. */
  static List<CareService> search(String query) {
    String[] words = query.toLowerCase(Locale.ROOT).trim().split("\\s+");
    List<CareService> found = new ArrayList<>();
    if (query.isBlank()) {
      return found;
    }
    for (CareService s : SERVICES) {
      if (s.matchesAll(words)) {
        found.add(s);
      }
    }
    return found;
  }
}
